using System.Management.Automation;
using System.Security;
using Migration.Engine.Cloudflare;
using Migration.Engine.Source.Kv;
using Migration.PowerShell.Completion;

namespace Migration.PowerShell.Commands;

/// <summary>
/// Export-KvEntry: the keys of a Workers KV namespace, one <see cref="KvRecord"/> per key (Key,
/// Value as parsed JSON or the text/bytes, Expiration, Metadata), in KV's key order, from the
/// API (-Namespace, account and token as wrangler reads them), from the state wrangler keeps for
/// <c>--local</c> (-Path) or from a JSON dump (-InputFile). -StartAfter, or -ResumeFrom with the
/// import's D1 file, continues where an earlier run stopped without fetching the values before.
/// </summary>
[Cmdlet(VerbsData.Export, "KvEntry", DefaultParameterSetName = RemoteSet)]
[OutputType(typeof(KvRecord))]
public sealed class ExportKvEntryCommand : PSCmdlet, IDisposable
{
    internal const string RemoteSet = "Remote";
    internal const string LocalSet = "Local";
    internal const string FileSet = "File";

    IKvReader? _reader;
    CancellationTokenSource? _cancel;

    /// <summary>The namespace: its id, or (remote) its title. Local: the id; optional when the state holds one namespace.</summary>
    [Parameter(Position = 0)]
    [ValidateNotNullOrEmpty]
    public string? Namespace { get; set; }

    /// <summary>The folder of wrangler's local state: a project folder (with .wrangler), or its .wrangler/state.</summary>
    [Parameter(Mandatory = true, ParameterSetName = LocalSet)]
    [ValidateNotNullOrEmpty]
    public string Path { get; set; } = "";

    /// <summary>A JSON dump: an array of {key, value[, expiration, metadata, base64]} (wrangler kv bulk's file) or an object key -> value.</summary>
    [Parameter(Mandatory = true, ParameterSetName = FileSet)]
    [ValidateNotNullOrEmpty]
    public string InputFile { get; set; } = "";

    /// <summary>Only keys that begin with this.</summary>
    [Parameter]
    public string? Prefix { get; set; }

    /// <summary>Only keys after this one (in KV's order): where an earlier export stopped.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? StartAfter { get; set; }

    /// <summary>
    /// The D1 file an earlier import of these keys wrote: the export starts at the KV key of the
    /// last row that import committed into -TableName (rebuilt from its key with -KeyPattern), so
    /// the keys before it are never fetched again. Import with -Resume (or -OnConflict Ignore/Upsert).
    /// </summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? ResumeFrom { get; set; }

    /// <summary>With -ResumeFrom: the run whose checkpoint is used (default: the newest run).</summary>
    [Parameter]
    [ValidateRange(1L, long.MaxValue)]
    [ArgumentCompleter(typeof(RunIdCompleter))]
    public long RunId { get; set; }

    /// <summary>With -ResumeFrom: the D1 table the rows of these keys went into.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? TableName { get; set; }

    /// <summary>With -ResumeFrom: the pattern ConvertTo-D1Row used (e.g. 'book:isbn:{isbn}'): its fields are the table's key columns.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? KeyPattern { get; set; }

    /// <summary>Cloudflare account id (default: CLOUDFLARE_ACCOUNT_ID, else the wrangler config's account_id).</summary>
    [Parameter(ParameterSetName = RemoteSet)]
    [ValidateNotNullOrEmpty]
    public string? AccountId { get; set; }

    /// <summary>API token (default: CLOUDFLARE_API_TOKEN). Never shown.</summary>
    [Parameter(ParameterSetName = RemoteSet)]
    [ValidateNotNull]
    public SecureString? ApiToken { get; set; }

    /// <summary>The API's base URL (default: CLOUDFLARE_API_BASE_URL, else https://api.cloudflare.com/client/v4).</summary>
    [Parameter(ParameterSetName = RemoteSet)]
    [ValidateNotNull]
    public Uri? ApiBaseUri { get; set; }

    /// <summary>A wrangler.json/.jsonc/.toml (or its folder): -Binding names a KV namespace in it; its account_id is used.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    public string? WranglerConfig { get; set; }

    /// <summary>The KV binding (in -WranglerConfig) whose namespace id is read.</summary>
    [Parameter]
    [ValidateNotNullOrEmpty]
    [ArgumentCompleter(typeof(KvBindingCompleter))]
    public string? Binding { get; set; }

    protected override void BeginProcessing()
    {
        _cancel = new CancellationTokenSource();
        try
        {
            _reader = KvSourceParameters.Open(this, _cancel.Token);
        }
        catch (Exception ex) when (ex is ArgumentException or CloudflareConfigurationException or CloudflareApiException or CloudflareUnavailableException or FormatException or IOException)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "KvSourceUnavailable",
                ex is CloudflareAuthenticationException ? ErrorCategory.AuthenticationError : ErrorCategory.InvalidArgument, Namespace ?? Path ?? InputFile));
        }
    }

    protected override void EndProcessing()
    {
        if (_reader is null) return;
        KvReadOptions options;
        try
        {
            options = new KvReadOptions(Prefix, StartAfter, ResumeFrom is null ? null : KvResumeKey.FromJournal(KvKeyPattern.Parse(KeyPattern!),
                FileSystemPaths.ResolveExisting(this, ResumeFrom, literal: false, nameof(ResumeFrom)), MyInvocation.BoundParameters.ContainsKey(nameof(RunId)) ? RunId : null, TableName!));
        }
        catch (ArgumentException ex)
        {
            ThrowTerminatingError(new ErrorRecord(ex, "ResumeFromFailed", ErrorCategory.InvalidArgument, ResumeFrom));
            return;
        }
        if (options.StartAt is null && ResumeFrom is not null)
            WriteVerbose($"{ResumeFrom} has no committed row in {TableName}: the export starts at the first key.");
        var progress = new ProgressRecord(1, "Export-KvEntry", _reader.Description);
        var throttle = ProgressThrottle.Default();
        long count = 0;
        try
        {
            foreach (var record in _reader.Read(options, _cancel!.Token))
            {
                count++;
                if (throttle.ShouldReport())
                {
                    progress.StatusDescription = $"{count:N0} keys; at {record.Key}";
                    WriteProgress(progress);
                }
                WriteObject(record);
            }
        }
        catch (Exception ex) when (ex is CloudflareApiException or CloudflareUnavailableException or FormatException or IOException or Microsoft.Data.Sqlite.SqliteException)
        {
            // Everything emitted so far stands; the message says where to start again.
            ThrowTerminatingError(new ErrorRecord(new InvalidOperationException(
                $"Reading {_reader.Description} failed after {count} keys: {ex.Message} Run again with -StartAfter (the last key emitted) or -ResumeFrom.", ex),
                "KvReadFailed", ErrorCategory.ReadError, _reader.Description));
        }
        finally
        {
            progress.RecordType = ProgressRecordType.Completed;
            WriteProgress(progress);
        }
        WriteVerbose($"{count} keys from {_reader.Description}.");
    }

    protected override void StopProcessing() => _cancel?.Cancel();

    public void Dispose()
    {
        _reader?.Dispose();
        _cancel?.Dispose();
    }
}
