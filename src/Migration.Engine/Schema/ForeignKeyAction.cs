namespace Migration.Engine.Schema;

/// <summary>What a foreign key does when its parent row is deleted or its key updated (the same five in Postgres and SQLite).</summary>
public enum ForeignKeyAction
{
    NoAction,
    Restrict,
    Cascade,
    SetNull,
    SetDefault,
}

/// <summary>The SQL words of a <see cref="ForeignKeyAction"/>, the same in both dialects (D1's DDL and Postgres').</summary>
public static class ForeignKeyActionSql
{
    public static string Sql(this ForeignKeyAction action) => action switch
    {
        ForeignKeyAction.Restrict => "RESTRICT",
        ForeignKeyAction.Cascade => "CASCADE",
        ForeignKeyAction.SetNull => "SET NULL",
        ForeignKeyAction.SetDefault => "SET DEFAULT",
        _ => "NO ACTION",
    };
}
