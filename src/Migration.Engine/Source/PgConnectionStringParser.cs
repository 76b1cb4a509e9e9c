using System.Data.Common;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace Migration.Engine.Source;

/// <summary>
/// Reads the three ways people write a Postgres connection: Npgsql's <c>Host=db;Port=5432;...</c>,
/// libpq's keyword/value form (<c>host=db port=5432 user=app password='a b' dbname=x</c>, what
/// psql takes) and libpq's URI (<c>postgresql://app:pw@db1:5432,db2/x?sslmode=require</c>).
/// Every error names the keyword or the part of the text that is wrong and never quotes a value:
/// a value may be the password, or a piece of it when a separator is missing.
/// </summary>
internal static partial class PgConnectionStringParser
{
    /// <summary>The parsed settings and which keywords the text set (lower case, without spaces, Npgsql's names).</summary>
    internal sealed record Result(NpgsqlConnectionStringBuilder Builder, HashSet<string> Keys)
    {
        public bool Has(string key) => Keys.Contains(key.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant());
    }

    /// <summary>libpq's keywords, as psql takes them, and what each becomes for Npgsql.</summary>
    static readonly Dictionary<string, Action<NpgsqlConnectionStringBuilder, string>> LibpqKeywords = new(StringComparer.Ordinal)
    {
        ["host"] = (b, v) => b.Host = v,
        ["hostaddr"] = (b, v) => b.Host = v,
        ["port"] = (b, v) => b.Port = Port(v, "port"),
        ["dbname"] = (b, v) => b.Database = v,
        ["user"] = (b, v) => b.Username = v,
        ["password"] = (b, v) => b.Password = v,
        ["passfile"] = (b, v) => b.Passfile = v,
        // libpq: 0 waits forever; a remote call here always has a timeout, so 0 keeps Npgsql's 15 s.
        ["connect_timeout"] = (b, v) => { if (Number(v, "connect_timeout") is > 0 and var n) b.Timeout = Math.Clamp(n, 2, 1024); },
        ["sslmode"] = (b, v) => b.SslMode = SslMode(v, "sslmode"),
        ["sslcert"] = (b, v) => b.SslCertificate = v,
        ["sslkey"] = (b, v) => b.SslKey = v,
        ["sslrootcert"] = (b, v) => b.RootCertificate = v,
        ["sslpassword"] = (b, v) => b.SslPassword = v,
        ["application_name"] = (b, v) => b.ApplicationName = v,
        ["fallback_application_name"] = (b, v) => b.ApplicationName ??= v,
        ["options"] = (b, v) => b.Options = v,
        ["target_session_attrs"] = (b, v) => b.TargetSessionAttributes = v,
        ["keepalives_idle"] = (b, v) => b.TcpKeepAliveTime = Number(v, "keepalives_idle"),
        ["keepalives_interval"] = (b, v) => b.TcpKeepAliveInterval = Number(v, "keepalives_interval"),
        ["keepalives"] = (b, v) => b.TcpKeepAlive = v != "0",
        ["client_encoding"] = (b, v) => { if (!v.Equals("UTF8", StringComparison.OrdinalIgnoreCase)) throw new ArgumentException("client_encoding: only UTF8 is supported (the module decodes all text as UTF-8)."); },
    };

    /// <summary>Which Npgsql keyword each libpq keyword sets (for "was it given?").</summary>
    static readonly Dictionary<string, string> LibpqToNpgsql = new(StringComparer.Ordinal)
    {
        ["host"] = "host", ["hostaddr"] = "host", ["port"] = "port", ["dbname"] = "database", ["user"] = "username",
        ["password"] = "password", ["passfile"] = "passfile", ["connect_timeout"] = "timeout", ["sslmode"] = "sslmode",
        ["application_name"] = "applicationname", ["fallback_application_name"] = "applicationname",
    };

    /// <summary>Keywords whose value is a secret: never named as a suspect, never quoted.</summary>
    static readonly HashSet<string> SecretKeywords = new(StringComparer.OrdinalIgnoreCase) { "password", "pwd", "psw", "sslpassword", "ssl password" };

    /// <summary>Npgsql's keywords and their synonyms (lower case, spaces removed) with their canonical name.</summary>
    static readonly Dictionary<string, string> NpgsqlKeywords = BuildNpgsqlKeywords();

    public static Result Parse(string text)
    {
        text = text.Trim();
        if (text.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase) || text.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase))
            return ParseUri(text);
        var reason = TokenizeKeywordValue(text, out var pairs);
        if (reason is null && IsKeywordValueForm(pairs))
            return FromLibpqPairs(pairs, "connection string");
        // No ';' anywhere and more than one '=': meant as psql's form, so its rules explain what is wrong.
        if (reason is not null && !text.Contains(';', StringComparison.Ordinal) && text.Count(c => c == '=') > 1)
            throw new ArgumentException($"The connection string is not valid: {reason}.");
        return ParseNpgsql(text);
    }

    // ---------------------------------------------------------------- libpq keyword/value form

    /// <summary>One <c>keyword = value</c> of the libpq form; Quoted when the value was in single quotes.</summary>
    internal readonly record struct Pair(string Key, string Value, bool Quoted);

    /// <summary>
    /// libpq's rules: pairs separated by whitespace, spaces allowed around '=', a value in single
    /// quotes may hold spaces, \' and \\ escape inside it (and outside too).
    /// </summary>
    /// <returns>The reason it failed (naming keywords, never a value), or null.</returns>
    static string? TokenizeKeywordValue(string text, out List<Pair> pairs)
    {
        pairs = [];
        var i = 0;
        string? previous = null;
        while (true)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i >= text.Length) return null;
            var keyStart = i;
            while (i < text.Length && !char.IsWhiteSpace(text[i]) && text[i] != '=') i++;
            var key = text[keyStart..i];
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i >= text.Length || text[i] != '=')
                return previous is null ? "it does not start with keyword=value"
                    : $"a value without '=' follows \"{previous}\" (a value with spaces must be in single quotes)";
            i++;
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            var value = new StringBuilder();
            var quoted = i < text.Length && text[i] == '\'';
            if (quoted)
            {
                i++;
                while (true)
                {
                    if (i >= text.Length) return $"the quoted value of \"{key}\" has no closing quote";
                    if (text[i] == '\\' && i + 1 < text.Length) { value.Append(text[i + 1]); i += 2; continue; }
                    if (text[i] == '\'') { i++; break; }
                    value.Append(text[i++]);
                }
            }
            else
            {
                while (i < text.Length && !char.IsWhiteSpace(text[i]))
                {
                    if (text[i] == '\\' && i + 1 < text.Length) { value.Append(text[i + 1]); i += 2; continue; }
                    value.Append(text[i++]);
                }
            }
            pairs.Add(new Pair(key, value.ToString(), quoted));
            previous = key;
        }
    }

    /// <summary>
    /// Whether a text that tokenizes as libpq's form is meant as it: two pairs or more, every
    /// keyword a plain word, and no unquoted value that carries an Npgsql-style <c>;Key=</c> or
    /// ends in ';' (<c>Host=db; Port=5432</c> is Npgsql's form with spaces; <c>Host=db
    /// Password=x;Database=y</c> is Npgsql's form with a ';' left out, which is reported as such). One pair reads the
    /// same either way, except for ';', which only Npgsql's form splits on.
    /// </summary>
    static bool IsKeywordValueForm(List<Pair> pairs) =>
        pairs.Count >= 2
        && pairs.All(p => WordPattern().IsMatch(p.Key))
        && pairs.All(p => p.Quoted || (!p.Value.EndsWith(';') && !NpgsqlContinuation().IsMatch(p.Value)));

    [GeneratedRegex(@"^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex WordPattern();

    [GeneratedRegex(@";\s*[A-Za-z][A-Za-z ]*=")]
    private static partial Regex NpgsqlContinuation();

    static Result FromLibpqPairs(List<Pair> pairs, string what)
    {
        var b = new NpgsqlConnectionStringBuilder();
        var keys = new HashSet<string>(StringComparer.Ordinal);
        string? host = null, port = null;
        string? previous = null;
        foreach (var (key, value, _) in pairs)
        {
            if (!LibpqKeywords.TryGetValue(key, out var set))
            {
                // After a password, an unknown "keyword" is most likely the rest of the password.
                if (previous is not null && SecretKeywords.Contains(previous))
                    throw new ArgumentException($"The {what} is not valid: an unknown keyword follows \"{previous}\" (a value with spaces must be in single quotes).");
                throw new ArgumentException($"The {what} is not valid: \"{key}\" is not a connection option psql knows"
                    + (Suggest(key) is { } s ? $" (did you mean \"{s}\"?)." : $" (known: {string.Join(", ", LibpqKeywords.Keys)})."));
            }
            if (key is "host" or "hostaddr") host = value;
            else if (key == "port") port = value;
            else
            {
                try { set(b, value); }
                catch (Exception ex) when (ex is ArgumentException or FormatException or OverflowException)
                {
                    throw new ArgumentException(ex is ArgumentException && ex.Message.StartsWith(key, StringComparison.Ordinal)
                        ? $"The {what} is not valid: {ex.Message}"
                        : $"The {what} is not valid: the value of \"{key}\" is not accepted.");
                }
            }
            if (LibpqToNpgsql.TryGetValue(key, out var npgsqlKey)) keys.Add(npgsqlKey);
            else keys.Add(key.Replace("_", "", StringComparison.Ordinal));
            previous = key;
        }
        SetHosts(b, keys, host, port, what);
        return new Result(b, keys);
    }

    /// <summary>
    /// libpq's host and port lists (<c>host=a,b port=5432,5433</c>) become Npgsql's
    /// <c>Host=a:5432,b:5433</c>; one port applies to every host.
    /// </summary>
    static void SetHosts(NpgsqlConnectionStringBuilder b, HashSet<string> keys, string? host, string? port, string what)
    {
        var hosts = host?.Split(',') ?? [];
        var ports = port?.Split(',') ?? [];
        if (hosts.Length > 1 && ports.Length > 1 && ports.Length != hosts.Length)
            throw new ArgumentException($"The {what} is not valid: {hosts.Length} hosts but {ports.Length} ports.");
        if (hosts.Length <= 1)
        {
            if (hosts.Length == 1 && hosts[0].Length > 0) { b.Host = hosts[0]; keys.Add("host"); }
            if (ports.Length > 1) throw new ArgumentException($"The {what} is not valid: {ports.Length} ports for one host.");
            if (ports.Length == 1 && ports[0].Length > 0) { b.Port = Port(ports[0], "port", what); keys.Add("port"); }
            return;
        }
        var list = new List<string>();
        for (var i = 0; i < hosts.Length; i++)
        {
            var h = hosts[i].Length > 0 ? hosts[i] : "localhost";
            if (h.Contains(':', StringComparison.Ordinal) && !h.StartsWith('[')) h = $"[{h}]";    // IPv6
            var p = ports.Length == 0 ? "" : ports.Length == 1 ? ports[0] : ports[i];
            list.Add(p.Length > 0 ? $"{h}:{Port(p, "port", what).ToString(CultureInfo.InvariantCulture)}" : h);
        }
        b.Host = string.Join(",", list);
        keys.Add("host");
        if (ports.Length == 1 && ports[0].Length > 0) { b.Port = Port(ports[0], "port", what); keys.Add("port"); }
    }

    static string? Suggest(string key)
    {
        var lower = key.ToLowerInvariant().Replace(" ", "", StringComparison.Ordinal);
        if (LibpqKeywords.ContainsKey(lower)) return lower;
        if (NpgsqlKeywords.TryGetValue(lower, out _))
            return lower switch
            {
                "database" or "db" => "dbname",
                "username" or "userid" => "user",
                "server" => "host",
                "timeout" => "connect_timeout",
                "applicationname" => "application_name",
                _ => null,
            };
        return LibpqKeywords.Keys.Where(k => Distance(k, lower) <= 2).OrderBy(k => Distance(k, lower)).FirstOrDefault();
    }

    // ---------------------------------------------------------------- URI

    /// <summary>
    /// libpq's URI: postgresql://[user[:password]@][host[:port][,host[:port]...]][/dbname][?keyword=value&amp;...],
    /// every part percent-decoded; the keywords are those of the keyword/value form.
    /// </summary>
    static Result ParseUri(string text)
    {
        const string what = "connection URI";
        var rest = text[(text.IndexOf("://", StringComparison.Ordinal) + 3)..];
        string? query = null;
        var q = rest.IndexOf('?', StringComparison.Ordinal);
        if (q >= 0) { query = rest[(q + 1)..]; rest = rest[..q]; }
        string? path = null;
        // As libpq: the user part ends at the first '@' before any '/'.
        var at = rest.IndexOfAny(['@', '/']);
        string? userInfo = null;
        if (at >= 0 && rest[at] == '@') { userInfo = rest[..at]; rest = rest[(at + 1)..]; }
        var slash = rest.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0) { path = rest[(slash + 1)..]; rest = rest[..slash]; }

        var pairs = new List<Pair>();
        if (userInfo is not null)
        {
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            var user = Decode(colon < 0 ? userInfo : userInfo[..colon], "the user name");
            if (user.Length > 0) pairs.Add(new Pair("user", user, false));
            if (colon >= 0) pairs.Add(new Pair("password", Decode(userInfo[(colon + 1)..], "the password"), false));
        }
        if (rest.Length > 0)
        {
            var hosts = new List<string>();
            var ports = new List<string>();
            foreach (var part in rest.Split(','))
            {
                string h, p = "";
                if (part.StartsWith('['))
                {
                    var close = part.IndexOf(']', StringComparison.Ordinal);
                    if (close < 0) throw new ArgumentException($"The {what} is not valid: an IPv6 address has no closing ']'.");
                    h = part[1..close];
                    var after = part[(close + 1)..];
                    if (after.Length > 0)
                    {
                        if (after[0] != ':') throw new ArgumentException($"The {what} is not valid: unexpected text after an IPv6 address.");
                        p = after[1..];
                    }
                }
                else
                {
                    var colon = part.LastIndexOf(':');
                    h = colon < 0 ? part : part[..colon];
                    if (colon >= 0) p = part[(colon + 1)..];
                    h = Decode(h, "a host name");
                }
                if (p.Length > 0) Port(p, "port", what);
                hosts.Add(h);
                ports.Add(p);
            }
            if (hosts.Any(h => h.Length > 0)) pairs.Add(new Pair("host", string.Join(",", hosts), false));
            if (ports.Any(p => p.Length > 0))
                pairs.Add(new Pair("port", ports.Distinct().Count() == 1 ? ports[0] : string.Join(",", ports.Select(p => p.Length > 0 ? p : PgConnectionSettings.DefaultPort.ToString(CultureInfo.InvariantCulture))), false));
        }
        if (!string.IsNullOrEmpty(path)) pairs.Add(new Pair("dbname", Decode(path, "the database name"), false));
        if (query is not null)
        {
            foreach (var item in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
            {
                var eq = item.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0) throw new ArgumentException($"The {what} is not valid: a parameter after '?' is not keyword=value.");
                var key = Decode(item[..eq], "a parameter name");
                // libpq's URIs also take the JDBC-style ssl=true.
                if (key == "ssl") { pairs.Add(new Pair("sslmode", Decode(item[(eq + 1)..], "ssl") == "true" ? "require" : "prefer", false)); continue; }
                pairs.Add(new Pair(key, Decode(item[(eq + 1)..], $"the value of \"{key}\""), false));
            }
        }
        // A parameter wins over the same part in the authority, as in libpq: the later pair wins.
        return FromLibpqPairs(pairs, what);
    }

    /// <summary>Percent-decoding as libpq does it: a bad escape is an error naming the part, not its text.</summary>
    static string Decode(string s, string part)
    {
        if (!s.Contains('%', StringComparison.Ordinal)) return s;
        var bytes = new List<byte>();
        for (var i = 0; i < s.Length; i++)
        {
            if (s[i] != '%') { bytes.AddRange(Encoding.UTF8.GetBytes(s[i].ToString())); continue; }
            if (i + 2 >= s.Length || !Uri.IsHexDigit(s[i + 1]) || !Uri.IsHexDigit(s[i + 2]))
                throw new ArgumentException($"The connection URI is not valid: {part} holds a '%' that is not followed by two hex digits.");
            var b = byte.Parse(s.AsSpan(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture);
            if (b == 0) throw new ArgumentException($"The connection URI is not valid: {part} holds %00.");
            bytes.Add(b);
            i += 2;
        }
        return new UTF8Encoding(false, true).GetString(bytes.ToArray());
    }

    // ---------------------------------------------------------------- Npgsql's form

    static Result ParseNpgsql(string text)
    {
        var keys = new HashSet<string>(StringComparer.Ordinal);
        var plain = new DbConnectionStringBuilder();
        try
        {
            plain.ConnectionString = text;
        }
        catch (ArgumentException)
        {
            // The framework's message says only "at index N"; say what the usual causes are.
            throw new ArgumentException("The connection string is not valid: it is neither Key=Value;Key=Value (Npgsql), keyword=value keyword=value (psql) nor a postgresql:// URI. "
                + "A value that holds ';' or starts with a quote must be quoted (\"...\").");
        }
        string? previous = null;
        // DbConnectionStringBuilder lower-cases the keywords: messages use the spelling of the text.
        string Spelled(string key) =>
            Regex.Match(text, $@"(?i)(?:^|;)\s*({Regex.Escape(key).Replace("\\ ", "\\s+", StringComparison.Ordinal)})\s*=") is { Success: true } m ? m.Groups[1].Value : key;
        foreach (string key in plain.Keys)
        {
            var norm = key.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
            if (!NpgsqlKeywords.TryGetValue(norm, out var canonical))
            {
                if (previous is not null && SecretKeywords.Contains(previous))
                    throw new ArgumentException($"The connection string is not valid: an unknown keyword follows \"{Spelled(previous)}\" (a value that holds ';' must be in double quotes).");
                var near = NpgsqlKeywords.Keys.Where(k => Distance(k, norm) <= 2).OrderBy(k => Distance(k, norm)).FirstOrDefault();
                throw new ArgumentException($"The connection string is not valid: \"{Spelled(key)}\" is not a connection keyword"
                    + (near is not null ? $" (did you mean \"{near}\"?)." : "."));
            }
            // "Host=db Port=5432;..." : a missing ';' makes the next pair part of this value.
            if (!SecretKeywords.Contains(key) && plain[key] is string v && MissingSemicolon(v) is { } next)
                throw new ArgumentException($"The connection string is not valid: a ';' is missing between \"{Spelled(key)}\" and \"{next}\".");
            keys.Add(canonical);
            previous = key;
        }
        try
        {
            return new Result(new NpgsqlConnectionStringBuilder(text), keys);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or OverflowException)
        {
            // Npgsql's message may quote a value: name the keyword whose value it rejected instead.
            var bad = plain.Keys.Cast<string>().FirstOrDefault(k => ex.Message.Contains(k, StringComparison.OrdinalIgnoreCase) && !SecretKeywords.Contains(k));
            throw new ArgumentException(bad is null
                ? "The connection string is not valid: a value is not accepted."
                : $"The connection string is not valid: the value of \"{Spelled(bad)}\" is not accepted.");
        }
    }

    /// <summary>The keyword that follows inside a value when a ';' was left out (<c>Host=db Port=5432</c>), or null.</summary>
    static string? MissingSemicolon(string value)
    {
        foreach (Match m in MissingSemicolonPattern().Matches(value))
        {
            var word = m.Groups[1].Value.Trim();
            var norm = word.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant();
            if (NpgsqlKeywords.ContainsKey(norm) || LibpqKeywords.ContainsKey(norm)) return word;
        }
        return null;
    }

    [GeneratedRegex(@"\s([A-Za-z][A-Za-z _]*?)\s*=")]
    private static partial Regex MissingSemicolonPattern();

    static Dictionary<string, string> BuildNpgsqlKeywords()
    {
        var map = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var prop in typeof(NpgsqlConnectionStringBuilder).GetProperties())
        {
            foreach (var attr in prop.GetCustomAttributes(true))
            {
                var t = attr.GetType();
                if (t.Name == "DisplayNameAttribute" && t.GetProperty("DisplayName")?.GetValue(attr) is string display)
                    map[display.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant()] = prop.Name.ToLowerInvariant();
                if (t.Name == "NpgsqlConnectionStringPropertyAttribute" && t.GetProperty("Synonyms")?.GetValue(attr) is string[] synonyms)
                    foreach (var s in synonyms) map[s.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant()] = prop.Name.ToLowerInvariant();
            }
        }
        return map;
    }

    // ---------------------------------------------------------------- values

    static int Port(string value, string key, string what = "connection string")
    {
        if (!int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var p) || p is < 1 or > 65535)
            throw new ArgumentException($"The {what} is not valid: {key} \"{value}\" is not a port number.");
        return p;
    }

    static int Number(string value, string key) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n
            : throw new ArgumentException($"{key} \"{value}\" is not a whole number of seconds.");

    internal static Npgsql.SslMode SslMode(string value, string source) =>
        value.Replace("-", "", StringComparison.Ordinal).ToLowerInvariant() switch
        {
            "disable" => Npgsql.SslMode.Disable,
            "allow" => Npgsql.SslMode.Allow,
            "prefer" => Npgsql.SslMode.Prefer,
            "require" => Npgsql.SslMode.Require,
            "verifyca" => Npgsql.SslMode.VerifyCA,
            "verifyfull" => Npgsql.SslMode.VerifyFull,
            _ => throw new ArgumentException($"{source} \"{value}\" is not an SSL mode (disable, allow, prefer, require, verify-ca, verify-full)."),
        };

    static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++) d[i, 0] = i;
        for (var j = 0; j <= b.Length; j++) d[0, j] = j;
        for (var i = 1; i <= a.Length; i++)
            for (var j = 1; j <= b.Length; j++)
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1));
        return d[a.Length, b.Length];
    }

    // ---------------------------------------------------------------- secrets

    /// <summary>
    /// Every password a connection text may hold, in any of the three forms, even when it is
    /// malformed (best effort: every reading of it), so that a last-line redactor can mask them.
    /// </summary>
    public static IEnumerable<string> SecretsIn(string? text)
    {
        if (string.IsNullOrEmpty(text)) yield break;
        var found = new HashSet<string>(StringComparer.Ordinal);
        foreach (Match m in SecretValuePattern().Matches(text))
        {
            var v = m.Groups["v"].Value;
            if (v.Length >= 2 && (v[0] == '\'' || v[0] == '"'))
            {
                var close = v.IndexOf(v[0], 1);
                var inner = close > 0 ? v[1..close] : v[1..];
                found.Add(inner);
                found.Add(inner.Replace("\\'", "'", StringComparison.Ordinal).Replace("\\\\", "\\", StringComparison.Ordinal));
                found.Add(inner.Replace("\"\"", "\"", StringComparison.Ordinal).Replace("''", "'", StringComparison.Ordinal));
            }
            found.Add(v);
            found.Add(v.Split(';')[0]);                               // Npgsql's form
            found.Add(v.Split(' ', '\t')[0]);                         // libpq's form
            found.Add(v.Split(';')[0].Split(' ', '\t')[0]);
            found.Add(v.Split('&')[0]);                               // a URI parameter
            try { found.Add(Uri.UnescapeDataString(v.Split('&')[0])); } catch (UriFormatException) { }
        }
        var uri = UriPasswordPattern().Match(text);
        if (uri.Success)
        {
            found.Add(uri.Groups["v"].Value);
            try { found.Add(Uri.UnescapeDataString(uri.Groups["v"].Value)); } catch (UriFormatException) { }
        }
        if (SafeParse(text) is { } parsed)
        {
            if (!string.IsNullOrEmpty(parsed.Builder.Password)) found.Add(parsed.Builder.Password);
            if (!string.IsNullOrEmpty(parsed.Builder.SslPassword)) found.Add(parsed.Builder.SslPassword);
        }
        foreach (var s in found)
        {
            var t = s.Trim();
            if (t.Length > 0) yield return t;
        }
    }

    static Result? SafeParse(string text)
    {
        try { return Parse(text); }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidOperationException or OverflowException) { return null; }
    }

    [GeneratedRegex(@"(?i)(?:^|[;\s&?])(?:password|pwd|psw|ssl\s*password|sslpassword)\s*=\s*(?<v>[^\r\n]*)")]
    private static partial Regex SecretValuePattern();

    [GeneratedRegex(@"(?i)^\s*postgres(?:ql)?://[^:@/]*:(?<v>[^@/]*)@")]
    private static partial Regex UriPasswordPattern();
}
