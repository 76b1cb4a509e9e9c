using Migration.Engine.Schema;
using Migration.Engine.Target;
using Migration.Engine.Tests.Infrastructure;
using Xunit;
using Xunit.Abstractions;

namespace Migration.Engine.Tests.WholeDatabase;

/// <summary>What the exporter reads from the catalog, and the D1 DDL the converter maps it to.</summary>
[Collection(PgCluster.Collection)]
public sealed class CatalogDefinitionTests(PgCluster pg, ITestOutputHelper output)
{
    [Fact]
    public void Dump()
    {
        var db = CatalogFixture.Create(pg);
        var (source, d1, forward) = CatalogFixture.Describe(db);
        foreach (var f in forward) output.WriteLine("forward: " + f);
        foreach (var s in D1Ddl.Statements(d1)) output.WriteLine(s.ToString());
        foreach (var w in d1.SelectMany(t => t.Definition!.Warnings)) output.WriteLine("warning: " + w);
        Assert.NotEmpty(source);
    }
}
