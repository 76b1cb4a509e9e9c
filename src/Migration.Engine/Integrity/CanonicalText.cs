namespace Migration.Engine.Integrity;

/// <summary>How <see cref="CanonicalEncoder"/> writes text.</summary>
enum CanonicalText
{
    /// <summary>The string's UTF-16 code units: the hashing form (see <see cref="CanonicalEncoder"/>).</summary>
    Utf16,

    /// <summary>UTF-8, as SQLite stores text: the form of the journal's stored row images.</summary>
    Utf8,
}
