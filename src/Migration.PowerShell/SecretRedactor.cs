using System.Data.Common;
using System.Net;

namespace Migration.PowerShell;

/// <summary>
/// Last line of defence for "a password never reaches output": removes the connection string
/// and any password it or the credential holds from a message before it becomes an error record.
/// The engine already keeps secrets out of its messages; this also covers driver messages that
/// echo what they were given.
/// </summary>
public static class SecretRedactor
{
    public const string Mask = "***";

    public static string Redact(string message, string? connectionString, NetworkCredential? credential)
    {
        ArgumentNullException.ThrowIfNull(message);
        var secrets = new List<string>();
        if (!string.IsNullOrEmpty(connectionString))
        {
            secrets.Add(connectionString);
            secrets.AddRange(PasswordsIn(connectionString));
        }
        if (!string.IsNullOrEmpty(credential?.Password)) secrets.Add(credential.Password);
        // Longest first, so a password inside the connection string cannot leave a partial mask.
        foreach (var secret in secrets.Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length))
            message = message.Replace(secret, Mask, StringComparison.Ordinal);
        return message;
    }

    static IEnumerable<string> PasswordsIn(string connectionString)
    {
        var builder = new DbConnectionStringBuilder();
        try
        {
            builder.ConnectionString = connectionString;
        }
        catch (ArgumentException)
        {
            // Malformed: the whole string is still masked by the caller.
            yield break;
        }
        foreach (var key in new[] { "Password", "Pwd" })
            if (builder.TryGetValue(key, out var value) && value is string s && s.Length > 0)
                yield return s;
    }
}
