using System.Text;

namespace Migration.Engine.Convert.D1ToPg;

/// <summary>How D1 column names become Postgres column names when no -ColumnMap entry names them.</summary>
public enum ColumnNaming
{
    /// <summary>The same name (matched to the Postgres column exactly, else case-insensitively when unambiguous).</summary>
    AsIs,
    /// <summary><c>userId</c> -> <c>user_id</c>, <c>createdAt</c> -> <c>created_at</c>, <c>HTTPStatus</c> -> <c>http_status</c>; snake_case names stay.</summary>
    SnakeCase,
}

/// <summary>The one implementation of <see cref="ColumnNaming.SnakeCase"/>.</summary>
public static class SnakeCase
{
    public static string Of(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var sb = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            var c = name[i];
            if (c is '-' or ' ' or '.')
            {
                if (sb.Length > 0 && sb[^1] != '_') sb.Append('_');
                continue;
            }
            if (char.IsUpper(c))
            {
                var prev = i > 0 ? name[i - 1] : '\0';
                var next = i + 1 < name.Length ? name[i + 1] : '\0';
                // A word starts at an upper-case letter after a lower-case one or a digit, and at
                // the last capital of an acronym that a lower-case letter follows (HTTPStatus).
                if (sb.Length > 0 && sb[^1] != '_' && (char.IsLower(prev) || char.IsDigit(prev) || (char.IsUpper(prev) && char.IsLower(next))))
                    sb.Append('_');
                sb.Append(char.ToLowerInvariant(c));
            }
            else sb.Append(c);
        }
        return sb.ToString();
    }
}
