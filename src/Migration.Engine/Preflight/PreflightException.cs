namespace Migration.Engine.Preflight;

/// <summary>
/// Every problem a preflight found, as one error (the -ErrorAction Stop and strict CLI path):
/// thrown before anything is written.
/// </summary>
public sealed class PreflightException : Exception
{
    public PreflightException(PreflightReport report)
        : base((report ?? throw new ArgumentNullException(nameof(report))).Describe())
    {
        Report = report;
    }

    public PreflightReport Report { get; }
}
