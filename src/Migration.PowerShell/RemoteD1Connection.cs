using System.Management.Automation;
using System.Security;
using Migration.Engine.Cloudflare;
using Migration.Engine.Target.RemoteD1;

namespace Migration.PowerShell;

/// <summary>
/// The remote D1 a cmdlet names (-Database, or -WranglerConfig with -Binding), with the one API
/// client of its run. Settings as wrangler reads them: -AccountId, else CLOUDFLARE_ACCOUNT_ID,
/// else the config's account_id; -ApiToken (SecureString), else CLOUDFLARE_API_TOKEN;
/// -ApiBaseUri, else CLOUDFLARE_API_BASE_URL, else Cloudflare's v4 URL. A database is a name or a
/// UUID, resolved as wrangler does. The token never appears in any message (the client redacts).
/// </summary>
internal sealed class RemoteD1Connection : IDisposable
{
    RemoteD1Connection(CloudflareApiClient api, RemoteD1Database database)
    {
        Api = api;
        Database = database;
    }

    public CloudflareApiClient Api { get; }

    public RemoteD1Database Database { get; }

    /// <param name="wranglerConfig">A full path to wrangler.toml/.json/.jsonc, or its folder.</param>
    public static RemoteD1Connection Open(string? database, string? accountId, SecureString? apiToken, Uri? apiBaseUri, string? wranglerConfig, string? binding)
    {
        var config = wranglerConfig is null ? null : WranglerConfig.Load(wranglerConfig);
        var api = new CloudflareApiClient(CloudflareParameters.Settings(accountId, apiToken, apiBaseUri, config));
        try
        {
            var nameOrId = database;
            if (nameOrId is null && config is not null)
            {
                var d1 = config.D1(binding ?? throw new CloudflareConfigurationException("-WranglerConfig needs -Binding: the D1 binding (or database_name) to write to."));
                nameOrId = d1.DatabaseId ?? d1.DatabaseName
                    ?? throw new CloudflareConfigurationException($"The D1 binding '{d1.Binding}' in {config.Path} has neither database_id nor database_name.");
            }
            if (string.IsNullOrWhiteSpace(nameOrId)) throw new CloudflareConfigurationException("No D1 database: give -Database (a name or UUID).");
            var info = api.ResolveD1DatabaseAsync(nameOrId).GetAwaiter().GetResult();
            return new RemoteD1Connection(api, new RemoteD1Database(api, info));
        }
        catch
        {
            api.Dispose();
            throw;
        }
    }

    /// <summary>What is wrong with how the database is named, before anything is read; null when nothing.</summary>
    public static string? ParameterProblem(string? database, string? wranglerConfig, string? binding) =>
        database is null && wranglerConfig is null ? "Name the remote D1: -Database (a name or UUID), or -WranglerConfig with -Binding."
        : binding is not null && wranglerConfig is null ? "-Binding names a binding of -WranglerConfig; give the config too."
        : binding is not null && database is not null ? "Give -Database or -Binding, not both: each names the database."
        : wranglerConfig is not null && database is null && binding is null ? "-WranglerConfig needs -Binding: the D1 binding (or database_name) to write to."
        : null;

    /// <summary>The error category of a failure to reach the database; null for a failure that is not about reaching it.</summary>
    public static ErrorCategory? ErrorCategoryOf(Exception ex) => ex switch
    {
        CloudflareAuthenticationException => ErrorCategory.AuthenticationError,
        CloudflareNotFoundException => ErrorCategory.ObjectNotFound,
        CloudflareConfigurationException or ArgumentException => ErrorCategory.InvalidArgument,
        CloudflareApiException or IOException or HttpRequestException => ErrorCategory.ConnectionError,
        _ => null,
    };

    public void Dispose() => Api.Dispose();
}
