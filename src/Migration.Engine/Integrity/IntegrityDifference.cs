namespace Migration.Engine.Integrity;

/// <summary>
/// One thing a check found wrong: the row's key as people read it (<c>id=42</c>), the column
/// (null when the whole row is concerned), and short excerpts of the source and target values.
/// Excerpts show the storage class: text is quoted (<c>'1'</c>), a REAL keeps its point (<c>1.0</c>),
/// NULL is <c>NULL</c>.
/// </summary>
public sealed record IntegrityDifference(string Key, string? Column, string SourceValue, string TargetValue)
{
    public override string ToString() =>
        Column is null ? $"[{Key}] source {SourceValue}, target {TargetValue}" : $"[{Key}] {Column}: source {SourceValue}, target {TargetValue}";
}
