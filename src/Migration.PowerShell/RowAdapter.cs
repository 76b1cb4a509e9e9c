using System.Collections.ObjectModel;
using System.Management.Automation;
using Migration.Engine.Schema;
using Migration.Engine.Source;

namespace Migration.PowerShell;

/// <summary>
/// Shows a <see cref="Row"/>'s columns as PowerShell properties (<c>$_.email</c>, Where-Object,
/// Select-Object, Format-Table, Export-Csv, ConvertTo-Json) without wrapping each row in a
/// PSObject with note properties, which would cost most of the pipeline's speed (design.md).
/// Registered for the Row type in Migration.types.ps1xml. Read-only: a row is what was read or
/// converted, and changing it in a script would bypass the conversion rules.
/// </summary>
public sealed class RowAdapter : PSPropertyAdapter
{
    public override Collection<string> GetTypeNameHierarchy(object baseObject)
    {
        // A per-table type name first, so a format or types file can target one table's rows.
        var names = base.GetTypeNameHierarchy(baseObject);
        if (baseObject is Row row) names.Insert(0, $"{typeof(Row).FullName}#{row.GetSchema().Name}");
        return names;
    }

    public override Collection<PSAdaptedProperty> GetProperties(object baseObject)
    {
        var row = AsRow(baseObject);
        var columns = row.GetSchema().Columns;
        var properties = new Collection<PSAdaptedProperty>();
        for (var i = 0; i < columns.Count; i++) properties.Add(new PSAdaptedProperty(columns[i].Name, i));
        return properties;
    }

    public override PSAdaptedProperty? GetProperty(object baseObject, string propertyName)
    {
        var schema = AsRow(baseObject).GetSchema();
        var i = schema.IndexOf(propertyName);
        // Null tells PowerShell "no such property" (then $_.missing is $null, as for any object).
        return i < 0 ? null : new PSAdaptedProperty(schema.Columns[i].Name, i);
    }

    public override bool IsGettable(PSAdaptedProperty adaptedProperty) => true;

    public override bool IsSettable(PSAdaptedProperty adaptedProperty) => false;

    public override object? GetPropertyValue(PSAdaptedProperty adaptedProperty) =>
        ForPowerShell(AsRow(adaptedProperty.BaseObject).GetValue(Ordinal(adaptedProperty)));

    /// <summary>
    /// A value as PowerShell should see it. The row holds timestamps and dates as the engine's
    /// exact PgTimestamp/PgDate (what ConvertTo-D1Row converts); a script gets what it can compare,
    /// cast and serialize: a DateTime whenever the value fits one exactly (timestamptz with Kind
    /// Utc, as Npgsql gives it; timestamp and date with Kind Unspecified, a date at midnight; a
    /// microsecond is ten ticks, so nothing is rounded), and a <see cref="PgDateTime"/> for BC,
    /// years after 9999 and the infinities. Everything else is returned as held.
    /// </summary>
    internal static object? ForPowerShell(object? value) => value switch
    {
        // Each branch boxed on its own: a conditional of DateTime and PgDateTime would take
        // PgDateTime's implicit conversion from DateTime and hand back a PgDateTime for both.
        PgTimestamp t => t.FitsDateTime ? (object)t.ToDateTime() : new PgDateTime(t),
        PgDate d => FitsDateTime(d) ? (object)d.ToDateOnly().ToDateTime(TimeOnly.MinValue) : new PgDateTime(d),
        _ => value,
    };

    static readonly int DateTimeFirstDay = new DateOnly(1, 1, 1).DayNumber - new DateOnly(2000, 1, 1).DayNumber;
    static readonly int DateTimeLastDay = new DateOnly(9999, 12, 31).DayNumber - new DateOnly(2000, 1, 1).DayNumber;

    static bool FitsDateTime(PgDate d) => d.Days >= DateTimeFirstDay && d.Days <= DateTimeLastDay;

    public override void SetPropertyValue(PSAdaptedProperty adaptedProperty, object value) =>
        throw new NotSupportedException(
            $"Column \"{adaptedProperty.Name}\" is read-only: rows are changed through ConvertTo-D1Row's -ColumnMap, -Exclude and -ComputedColumn, not by assignment.");

    /// <summary>The type of the value the row holds; for NULL, the type the column's values have.</summary>
    public override string GetPropertyTypeName(PSAdaptedProperty adaptedProperty)
    {
        var row = AsRow(adaptedProperty.BaseObject);
        var ordinal = Ordinal(adaptedProperty);
        var value = ForPowerShell(row.GetValue(ordinal));
        if (value is not null) return value.GetType().FullName ?? "System.Object";
        var schema = row.GetSchema();
        if (schema.Kind != SchemaKind.D1) return "System.Object";
        return schema.Columns[ordinal].D1Type switch
        {
            D1Type.Integer => typeof(long).FullName!,
            D1Type.Real => typeof(double).FullName!,
            D1Type.Text => typeof(string).FullName!,
            D1Type.Blob => typeof(byte[]).FullName!,
            _ => "System.Object",
        };
    }

    static Row AsRow(object? baseObject) =>
        baseObject as Row ?? throw new ArgumentException($"RowAdapter adapts {typeof(Row).FullName} only, not {baseObject?.GetType().FullName ?? "null"}.");

    static int Ordinal(PSAdaptedProperty property) =>
        property.Tag is int i ? i : throw new ArgumentException($"Property \"{property.Name}\" was not created by RowAdapter.");
}
