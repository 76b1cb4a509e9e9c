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
