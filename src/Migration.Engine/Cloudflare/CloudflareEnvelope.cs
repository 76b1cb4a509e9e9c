using System.Text.Json;

namespace Migration.Engine.Cloudflare;

/// <summary>
/// The v4 envelope every API answer uses: <c>{success, errors:[{code, message}], messages,
/// result, result_info?}</c>. As in wrangler, <c>success: true</c> means success whatever the
/// HTTP status (an import poll answers 202). The elements are detached from the parsed document.
/// </summary>
internal sealed class CloudflareEnvelope
{
    CloudflareEnvelope(bool success, IReadOnlyList<CloudflareError> errors, JsonElement result, JsonElement? resultInfo)
    {
        Success = success;
        Errors = errors;
        Result = result;
        ResultInfo = resultInfo;
    }

    public bool Success { get; }
    public IReadOnlyList<CloudflareError> Errors { get; }
    public JsonElement Result { get; }
    public JsonElement? ResultInfo { get; }

    /// <summary>The envelope in <paramref name="body"/>, or null when it is not one (an HTML error page, a truncated body).</summary>
    public static CloudflareEnvelope? TryParse(ReadOnlySpan<byte> body, CloudflareApiToken token)
    {
        if (body.IsEmpty) return null;
        try
        {
            var reader = new Utf8JsonReader(body);
            using var document = JsonDocument.ParseValue(ref reader);
            var root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("success", out var success)
                || success.ValueKind is not (JsonValueKind.True or JsonValueKind.False))
                return null;
            var errors = new List<CloudflareError>();
            if (root.TryGetProperty("errors", out var list) && list.ValueKind == JsonValueKind.Array)
                foreach (var e in list.EnumerateArray())
                    errors.Add(ErrorOf(e, token));
            var result = root.TryGetProperty("result", out var r) ? r.Clone() : default;
            JsonElement? info = root.TryGetProperty("result_info", out var i) && i.ValueKind == JsonValueKind.Object ? i.Clone() : null;
            return new CloudflareEnvelope(success.ValueKind == JsonValueKind.True, errors, result, info);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    static CloudflareError ErrorOf(JsonElement e, CloudflareApiToken token)
    {
        if (e.ValueKind == JsonValueKind.String) return new CloudflareError(0, token.Redact(e.GetString()));
        var code = e.ValueKind == JsonValueKind.Object && e.TryGetProperty("code", out var c) && c.TryGetInt32(out var n) ? n : 0;
        var message = e.ValueKind == JsonValueKind.Object && e.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String
            ? m.GetString()
            : e.GetRawText();
        return new CloudflareError(code, token.Redact(message));
    }
}
