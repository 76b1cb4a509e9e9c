namespace Migration.Engine.Preflight;

/// <summary>The real name closest to a mistyped one (edit distance, ignoring case), for "did you mean".</summary>
public static class NameSuggestion
{
    /// <summary>The candidate with the smallest edit distance to <paramref name="name"/> (the first of equals), or null when there is none.</summary>
    public static string? Closest(string name, IEnumerable<string> candidates)
    {
        ArgumentNullException.ThrowIfNull(name);
        ArgumentNullException.ThrowIfNull(candidates);
        string? best = null;
        var bestDistance = int.MaxValue;
        foreach (var c in candidates)
        {
            var d = Distance(name, c);
            if (d >= bestDistance) continue;
            best = c;
            bestDistance = d;
        }
        return best;
    }

    /// <summary>Levenshtein distance (insert, delete, substitute), comparing characters without regard to case.</summary>
    public static int Distance(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var previous = new int[b.Length + 1];
        var current = new int[b.Length + 1];
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            for (var j = 1; j <= b.Length; j++)
            {
                var same = char.ToUpperInvariant(a[i - 1]) == char.ToUpperInvariant(b[j - 1]);
                current[j] = Math.Min(Math.Min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + (same ? 0 : 1));
            }
            (previous, current) = (current, previous);
        }
        return previous[b.Length];
    }
}
