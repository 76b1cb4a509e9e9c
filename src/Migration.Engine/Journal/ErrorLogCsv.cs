using System.Globalization;
using CsvHelper;

namespace Migration.Engine.Journal;

/// <summary>
/// The optional CSV copy of a run's failed rows (Import-D1Batch -ErrorLog): one line per row,
/// written and flushed as it happens, so the file is complete up to a crash. The columns match
/// the quarantine table; values are the same short excerpts, never whole values.
/// </summary>
public sealed class ErrorLogCsv : IDisposable
{
    readonly StreamWriter _writer;
    readonly CsvWriter _csv;

    /// <summary>Creates (or replaces) the file at a full path.</summary>
    public ErrorLogCsv(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        _writer = new StreamWriter(path, append: false, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false));
        _csv = CsvWriter.Create(_writer, new CsvWriterOptions(), true);
        _csv.WriteRecord(["RunId", "Table", "Key", "Column", "Stage", "Reason", "ValueExcerpt", "RecordedAt"]);
        Flush();
    }

    public void Write(long? runId, string table, string key, string? column, QuarantineStage stage, string reason, string valueExcerpt)
    {
        _csv.WriteRecord([
            runId?.ToString(CultureInfo.InvariantCulture) ?? "", table, key, column ?? "", stage.ToString(), reason, valueExcerpt,
            DateTimeOffset.UtcNow.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", CultureInfo.InvariantCulture)]);
        Flush();
    }

    void Flush()
    {
        _csv.Flush();
        _writer.Flush();
    }

    public void Dispose()
    {
        _csv.Dispose();
        _writer.Dispose();
    }
}
