using Migration.Engine.Convert;
using Migration.Engine.Source;

namespace Migration.Cli;

/// <summary>
/// <c>--name value</c> pairs; a name may repeat (<c>--table a --table b</c>) and a value may
/// be a comma list (<c>--table a,b</c>). Kept tiny on purpose: the CLI is a thin host.
/// </summary>
sealed class CliArguments
{
    readonly Dictionary<string, List<string>> _values = new(StringComparer.OrdinalIgnoreCase);

    public CliArguments(IEnumerable<string> args)
    {
        string? name = null;
        foreach (var a in args)
        {
            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                if (name is not null) Add(name, "true");
                name = a[2..];
            }
            else if (name is not null) { Add(name, a); name = null; }
            else throw new ArgumentException($"Unexpected argument '{a}'.");
        }
        if (name is not null) Add(name, "true");
    }

    void Add(string name, string value)
    {
        if (!_values.TryGetValue(name, out var list)) _values[name] = list = [];
        list.Add(value);
    }

    /// <summary>
    /// Refuses an option the command does not take (a typo such as --exlude-table would otherwise
    /// be ignored and change what is migrated), naming the closest one it does take.
    /// </summary>
    public void AllowOnly(IReadOnlyCollection<string> names)
    {
        var unknown = _values.Keys.Where(given => !names.Contains(given, StringComparer.OrdinalIgnoreCase))
            .Select(given => $"Unknown option --{given}"
                + (Migration.Engine.Preflight.NameSuggestion.Closest(given, [.. names]) is { } near ? $" (did you mean --{near}?)" : ""))
            .ToList();
        if (unknown.Count > 0) throw new ArgumentException(string.Join("; ", unknown) + "; nothing was done.");
    }

    public string? One(string name) => _values.TryGetValue(name, out var l) ? l[^1] : null;

    public string Required(string name) => One(name) ?? throw new ArgumentException($"--{name} is required.");

    public bool Flag(string name) => One(name) is { } v && !string.Equals(v, "false", StringComparison.OrdinalIgnoreCase);

    public IReadOnlyList<string> Many(string name) =>
        _values.TryGetValue(name, out var l)
            ? l.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)).ToList()
            : [];

    /// <summary><c>--map a=b --map c=d</c> as a dictionary.</summary>
    public Dictionary<string, string> Pairs(string name)
    {
        var d = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var p in Many(name))
        {
            var i = p.IndexOf('=', StringComparison.Ordinal);
            if (i <= 0) throw new ArgumentException($"--{name} takes name=value, not '{p}'.");
            d[p[..i]] = p[(i + 1)..];
        }
        return d;
    }

    public T Enum<T>(string name, T fallback) where T : struct, System.Enum =>
        One(name) is { } v ? System.Enum.Parse<T>(v, ignoreCase: true) : fallback;

    /// <summary>The options <see cref="TableChooser"/> reads.</summary>
    public static readonly string[] TableChoiceOptions = ["all", "table", "schema", "exclude-table"];

    /// <summary>The options <see cref="ConversionOptions"/> reads.</summary>
    public static readonly string[] ConversionOptionNames = ["map", "column-map", "exclude", "timestamp-format", "numeric-as", "non-finite", "allow-precision-loss"];

    /// <summary>The tables migrate and schema take, chosen as the cmdlets choose them.</summary>
    public PgTableChooser TableChooser() =>
        new(Flag("all"), Many("table"), Many("schema"), Many("exclude-table"), Spelling: OptionSpelling.Cli);

    /// <summary>
    /// The mapping options every command that converts takes (migrate, schema, verify), read
    /// one way, so a check or a schema always uses exactly the migration's mapping.
    /// </summary>
    public ConversionOptions ConversionOptions() => new()
    {
        TableMap = Pairs("map"),
        ColumnMap = Pairs("column-map"),
        Exclude = Many("exclude"),
        TimestampFormat = Enum("timestamp-format", TimestampFormat.Iso8601),
        NumericAs = Enum("numeric-as", NumericMode.Auto),
        NonFinite = Enum("non-finite", NonFiniteMode.Error),
        AllowPrecisionLoss = Flag("allow-precision-loss"),
    };
}
