using Migration.Engine.Cloudflare;
using Migration.Engine.Source.Kv;
using Migration.PowerShell.Commands;

namespace Migration.PowerShell;

/// <summary>
/// Export-KvEntry's source parameters checked together and turned into a reader: the KV API
/// (-Namespace, or -WranglerConfig with -Binding; account and token as wrangler reads them,
/// <see cref="CloudflareParameters"/>), wrangler's local state (-Path) or a dump (-InputFile).
/// A combination that cannot mean one source is an <see cref="ArgumentException"/>, before
/// anything is read.
/// </summary>
internal static class KvSourceParameters
{
    public static IKvReader Open(ExportKvEntryCommand cmdlet, CancellationToken cancel)
    {
        var (binding, wranglerConfig, resumeFrom) = (cmdlet.Binding, cmdlet.WranglerConfig, cmdlet.ResumeFrom);
        if (cmdlet.StartAfter is not null && resumeFrom is not null)
            throw new ArgumentException("-StartAfter and -ResumeFrom both say where to start: give one.");
        if (resumeFrom is not null && (cmdlet.TableName is null || cmdlet.KeyPattern is null))
            throw new ArgumentException("-ResumeFrom needs -TableName (the D1 table the keys went into) and -KeyPattern (the pattern ConvertTo-D1Row used), to rebuild the last committed KV key.");
        if (resumeFrom is null && (cmdlet.TableName is not null || cmdlet.KeyPattern is not null || cmdlet.MyInvocation.BoundParameters.ContainsKey(nameof(cmdlet.RunId))))
            throw new ArgumentException("-TableName, -KeyPattern and -RunId only go with -ResumeFrom.");
        if (cmdlet.ParameterSetName == ExportKvEntryCommand.FileSet && (cmdlet.Namespace ?? binding ?? wranglerConfig) is not null)
            throw new ArgumentException("-InputFile is the whole source: -Namespace, -Binding and -WranglerConfig do not go with it.");
        if (binding is not null && wranglerConfig is null)
            throw new ArgumentException("-Binding names a KV namespace in a wrangler config: give -WranglerConfig too.");
        if (binding is not null && cmdlet.Namespace is not null)
            throw new ArgumentException("-Namespace and -Binding both name the namespace: give one.");
        var config = wranglerConfig is null ? null : WranglerConfig.Load(FileSystemPaths.ResolveAny(cmdlet, wranglerConfig, nameof(cmdlet.WranglerConfig)));
        var namespaceId = binding is null ? cmdlet.Namespace : config!.Kv(binding).Id
            ?? throw new CloudflareConfigurationException($"The KV binding '{binding}' in {config.Path} has no id.");
        switch (cmdlet.ParameterSetName)
        {
            case ExportKvEntryCommand.FileSet:
                var file = FileSystemPaths.Resolve(cmdlet, cmdlet.InputFile, literal: false);
                if (!File.Exists(file)) throw new ArgumentException($"-InputFile: there is no file at {file}.");
                return new KvDumpReader(file);
            case ExportKvEntryCommand.LocalSet:
                return KvLocalStateReader.Open(FileSystemPaths.ResolveAny(cmdlet, cmdlet.Path, nameof(cmdlet.Path)), namespaceId);
            default:
                if (namespaceId is null) throw new ArgumentException("Give the namespace: -Namespace (id or title), or -WranglerConfig with -Binding; or -Path for wrangler's local state, -InputFile for a dump.");
                var api = new CloudflareApiClient(CloudflareParameters.Settings(cmdlet.AccountId, cmdlet.ApiToken, cmdlet.ApiBaseUri, config));
                try
                {
                    var id = KvApiReader.ResolveNamespaceAsync(api, namespaceId, cancel).GetAwaiter().GetResult();
                    return new KvApiReader(api, id, ownsClient: true);
                }
                catch
                {
                    api.Dispose();
                    throw;
                }
        }
    }
}
