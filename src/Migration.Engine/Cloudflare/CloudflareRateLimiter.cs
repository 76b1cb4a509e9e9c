namespace Migration.Engine.Cloudflare;

/// <summary>
/// A token bucket that keeps the client inside Cloudflare's per-token limit. It holds
/// <c>burst</c> tokens and refills at <c>(requestsPerWindow - burst) / window</c>, so that no
/// window of that length ever sees more than <c>requestsPerWindow</c> requests (the burst plus
/// what refills). A 429 pauses every caller until its <c>retry-after</c> has passed. Shared by all
/// requests of one <see cref="CloudflareApiClient"/> (D1 and KV alike: Cloudflare counts them together).
/// </summary>
public sealed class CloudflareRateLimiter
{
    readonly object _gate = new();
    readonly TimeProvider _time;
    readonly double _capacity;
    readonly double _tokensPerSecond;
    double _tokens;
    long _lastRefill;
    DateTimeOffset _pausedUntil;

    public CloudflareRateLimiter(int requestsPerWindow, TimeSpan window, int burst, TimeProvider? time = null)
    {
        if (requestsPerWindow < 1) throw new ArgumentOutOfRangeException(nameof(requestsPerWindow), requestsPerWindow, "At least one request per window.");
        if (window <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(window), window, "The window must be positive.");
        if (burst < 1 || burst > requestsPerWindow) throw new ArgumentOutOfRangeException(nameof(burst), burst, "The burst must be between 1 and the requests per window.");
        _time = time ?? TimeProvider.System;
        _capacity = burst;
        // With burst == requestsPerWindow nothing would refill within the window; one request
        // per window at least keeps the client moving (and still within the limit for a burst < the limit).
        _tokensPerSecond = Math.Max(requestsPerWindow - burst, 1) / window.TotalSeconds;
        _tokens = burst;
        _lastRefill = _time.GetTimestamp();
        _pausedUntil = DateTimeOffset.MinValue;
    }

    /// <summary>Requests per second once the burst is spent.</summary>
    public double SteadyRate => _tokensPerSecond;

    /// <summary>Waits until a request may go, and takes its token.</summary>
    public async Task WaitAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            TimeSpan wait;
            lock (_gate)
            {
                var pause = _pausedUntil - _time.GetUtcNow();
                if (pause > TimeSpan.Zero)
                {
                    wait = pause;
                }
                else
                {
                    Refill();
                    if (_tokens >= 1)
                    {
                        _tokens -= 1;
                        return;
                    }
                    wait = TimeSpan.FromSeconds((1 - _tokens) / _tokensPerSecond);
                }
            }
            await Task.Delay(wait < TimeSpan.FromMilliseconds(1) ? TimeSpan.FromMilliseconds(1) : wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Holds every request back for <paramref name="delay"/> (a 429's <c>retry-after</c>) and empties the bucket.</summary>
    public void Pause(TimeSpan delay)
    {
        lock (_gate)
        {
            var until = _time.GetUtcNow() + delay;
            if (until > _pausedUntil) _pausedUntil = until;
            // The server says capacity is gone: start again from an empty bucket after the pause.
            Refill();
            _tokens = Math.Min(_tokens, 0);
            _lastRefill = _time.GetTimestamp() + (long)(delay.TotalSeconds * _time.TimestampFrequency);
        }
    }

    void Refill()
    {
        var now = _time.GetTimestamp();
        if (now <= _lastRefill) return;
        var seconds = (now - _lastRefill) / (double)_time.TimestampFrequency;
        _tokens = Math.Min(_capacity, _tokens + seconds * _tokensPerSecond);
        _lastRefill = now;
    }
}
