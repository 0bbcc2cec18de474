using System.Globalization;

namespace PresignGateway.Sites;

/// <summary>
/// A redirect's Cache-Control, parsed once at start-up: every <c>max-age</c> and <c>s-maxage</c> is capped, per
/// response, at the presigned URL's usable life, so no cache hands out a Location after the store stops honouring it.
/// </summary>
internal sealed class RedirectCacheControl
{
    /// <summary>Today's answer: <c>private, max-age=N</c>, N the usable life.</summary>
    public static readonly RedirectCacheControl Default = new(["private, max-age=", ""], [long.MaxValue]);

    // Text between the numbers: literals[i], seconds[i], literals[i + 1], ...
    private readonly string[] _literals;
    private readonly long[] _seconds;
    private readonly int _maxLength;

    private RedirectCacheControl(string[] literals, long[] seconds)
    {
        _literals = literals;
        _seconds = seconds;
        _maxLength = seconds.Length * 20;
        foreach (string literal in literals)
        {
            _maxLength += literal.Length;
        }
    }

    /// <summary>Parses an operator's value, or returns null with what is wrong.</summary>
    public static RedirectCacheControl? Parse(string value, out string? problem)
    {
        problem = null;
        var literals = new List<string>();
        var seconds = new List<long>();
        var text = new System.Text.StringBuilder();
        bool first = true;
        foreach (string part in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            if (!first)
            {
                text.Append(", ");
            }

            first = false;

            int equals = part.IndexOf('=', StringComparison.Ordinal);
            string name = (equals < 0 ? part : part[..equals]).Trim();
            if (!name.Equals("max-age", StringComparison.OrdinalIgnoreCase) && !name.Equals("s-maxage", StringComparison.OrdinalIgnoreCase))
            {
                text.Append(part);
                continue;
            }

            if (equals < 0 || !long.TryParse(part.AsSpan(equals + 1).Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out long given))
            {
                problem = $"has '{part}': {name} takes a whole number of seconds, such as {name}=300";
                return null;
            }

            literals.Add(text.Append(name).Append('=').ToString());
            text.Clear();
            seconds.Add(given);
        }

        literals.Add(text.ToString());
        return new RedirectCacheControl([.. literals], [.. seconds]);
    }

    /// <summary>The header value for a URL usable for <paramref name="usableSeconds"/> more seconds.</summary>
    public string Format(long usableSeconds)
    {
        if (_seconds.Length == 0)
        {
            return _literals[0];
        }

        Span<char> buffer = _maxLength <= 512 ? stackalloc char[512] : new char[_maxLength];
        int written = 0;
        for (int i = 0; i < _seconds.Length; i++)
        {
            _literals[i].CopyTo(buffer[written..]);
            written += _literals[i].Length;
            Math.Min(_seconds[i], usableSeconds).TryFormat(buffer[written..], out int digits, default, CultureInfo.InvariantCulture);
            written += digits;
        }

        _literals[^1].CopyTo(buffer[written..]);
        written += _literals[^1].Length;
        return new string(buffer[..written]);
    }
}
