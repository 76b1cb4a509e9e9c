namespace Migration.Engine.Tests.WholeDatabase;

/// <summary>
/// A Postgres database whose foreign keys were added NOT VALID over orphans: one per table, an
/// immediate key (kids), a NOT NULL one (strict_kids) and a self-reference filled in afterwards
/// (nodes). The local file and the remote D1 tests load it under each -OrphanPolicy.
/// </summary>
internal static class OrphanFixture
{
    public const string Sql = """
        CREATE TABLE parents (id int PRIMARY KEY);
        CREATE TABLE kids (id int PRIMARY KEY, parent_id int, name text);
        CREATE TABLE strict_kids (id int PRIMARY KEY, parent_id int NOT NULL);
        CREATE TABLE nodes (id int PRIMARY KEY, up int);
        INSERT INTO parents VALUES (1), (2);
        INSERT INTO kids VALUES (1, 1, 'ok'), (2, 99, 'orphan'), (3, NULL, 'none');
        INSERT INTO strict_kids VALUES (1, 2), (2, 77);
        INSERT INTO nodes VALUES (1, NULL), (2, 1), (3, 55);
        ALTER TABLE kids ADD CONSTRAINT kids_parent_fk FOREIGN KEY (parent_id) REFERENCES parents (id) NOT VALID;
        ALTER TABLE strict_kids ADD CONSTRAINT strict_parent_fk FOREIGN KEY (parent_id) REFERENCES parents (id) NOT VALID;
        ALTER TABLE nodes ADD CONSTRAINT nodes_up_fk FOREIGN KEY (up) REFERENCES nodes (id) NOT VALID;
        """;
}
