using System.Net;
using Migration.Engine.Source;

namespace Migration.PowerShell;

/// <summary>
/// Last line of defence for "a password never reaches output": removes the connection string
/// and any password it or the credential holds from a message before it becomes an error record.
/// The engine already keeps secrets out of its messages; this also covers driver messages that
/// echo what they were given. Passwords are found in every form a connection is written in
/// (Npgsql's Key=Value;, psql's keyword=value, postgresql:// URIs), even a malformed one.
/// </summary>
public static class SecretRedactor
{
    public const string Mask = "***";

    public static string Redact(string message, string? connectionString, NetworkCredential? credential)
    {
        ArgumentNullException.ThrowIfNull(message);
        // Longest first, so a password inside the connection string cannot leave a partial mask.
        foreach (var secret in Secrets(connectionString, credential))
            message = message.Replace(secret, Mask, StringComparison.Ordinal);
        return message;
    }

    /// <summary>Whether a text holds the connection string or a password.</summary>
    public static bool ContainsSecret(string text, string? connectionString, NetworkCredential? credential)
    {
        ArgumentNullException.ThrowIfNull(text);
        return Secrets(connectionString, credential).Any(s => text.Contains(s, StringComparison.Ordinal));
    }

    static IEnumerable<string> Secrets(string? connectionString, NetworkCredential? credential)
    {
        var secrets = new List<string>();
        if (!string.IsNullOrEmpty(connectionString))
        {
            secrets.Add(connectionString);
            secrets.Add(connectionString.Trim());
            secrets.AddRange(PgConnectionSettings.SecretsIn(connectionString));
        }
        if (!string.IsNullOrEmpty(credential?.Password)) secrets.Add(credential.Password);
        return secrets.Where(s => s.Length > 0).Distinct(StringComparer.Ordinal).OrderByDescending(s => s.Length);
    }
}
