namespace Migration.Engine.Cloudflare;

/// <summary>
/// D1 ran the import and refused it (a statement failed): the import is reverted as a whole, so
/// nothing of the file was applied. <see cref="Messages"/> holds what the server reported.
/// </summary>
public sealed class D1ImportFailedException(string operation, string error, IReadOnlyList<string> messages)
    : CloudflareApiException(operation, null, [], $"D1 refused the import; the database was left as before the import: {error}")
{
    public string Error { get; } = error;

    public IReadOnlyList<string> Messages { get; } = messages;
}
