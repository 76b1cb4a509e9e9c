namespace Migration.Engine.Cloudflare;

/// <summary>
/// An INTEGER beyond ±2^53 came back as a JSON number: the API's JavaScript side has already
/// rounded it, so its exact value is unknown. Read such columns through <see cref="D1ExactRead"/>.
/// </summary>
public sealed class D1PrecisionException(string rawNumber)
    : Exception($"D1 returned the integer {rawNumber} as a JSON number beyond ±2^53, so it may have been rounded on the way; " +
                "select the column through D1ExactRead.Expression to read it exactly.")
{
    public string RawNumber { get; } = rawNumber;
}
