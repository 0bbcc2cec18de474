namespace PresignGateway.Signing;

/// <summary>
/// Collects query parameters in their encoded form, sorts them by encoded name (then value) with ordinal byte order,
/// and writes the canonical query. Signing sorts the encoded strings, not the raw ones: <c>+param</c> encodes to
/// <c>%2Bparam</c> and must sort before <c>param</c>.
/// </summary>
internal ref struct EncodedQuery
{
    private readonly Span<byte> _scratch;
    private readonly Span<EncodedParameter> _parameters;
    private int _scratchPosition;
    private int _count;

    public EncodedQuery(Span<byte> scratch, Span<EncodedParameter> parameters)
    {
        _scratch = scratch;
        _parameters = parameters;
    }

    public void Add(scoped ReadOnlySpan<char> name, scoped ReadOnlySpan<char> value)
    {
        BeginParameter(name);
        AppendValue(value);
    }

    /// <summary>Starts a parameter whose value is then appended in pieces (a credential scope, say).</summary>
    public void BeginParameter(scoped ReadOnlySpan<char> name)
    {
        ref EncodedParameter parameter = ref _parameters[_count++];
        parameter.NameStart = _scratchPosition;
        parameter.NameLength = UriEncoding.Encode(name, _scratch[_scratchPosition..], keepSlash: false);
        _scratchPosition += parameter.NameLength;
        parameter.ValueStart = _scratchPosition;
        parameter.ValueLength = 0;
    }

    public void AppendValue(scoped ReadOnlySpan<char> value)
    {
        int written = UriEncoding.Encode(value, _scratch[_scratchPosition..], keepSlash: false);
        _scratchPosition += written;
        _parameters[_count - 1].ValueLength += written;
    }

    public void AppendValue(scoped ReadOnlySpan<byte> asciiValue)
    {
        int written = UriEncoding.Encode(asciiValue, _scratch[_scratchPosition..]);
        _scratchPosition += written;
        _parameters[_count - 1].ValueLength += written;
    }

    /// <summary>Insertion sort: a download signs a handful of parameters, and it needs no allocation.</summary>
    public readonly void Sort()
    {
        Span<EncodedParameter> items = _parameters[.._count];
        for (int i = 1; i < items.Length; i++)
        {
            EncodedParameter current = items[i];
            int j = i - 1;
            while (j >= 0 && Compare(items[j], current) > 0)
            {
                items[j + 1] = items[j];
                j--;
            }

            items[j + 1] = current;
        }
    }

    /// <summary>Writes <c>name=value&amp;...</c>; an empty value is written as <c>name</c> (OSS) or <c>name=</c> (S3).</summary>
    /// <returns>The number of bytes written to <paramref name="destination"/>.</returns>
    public readonly int WriteTo(Span<byte> destination, bool equalsForEmptyValue)
    {
        var writer = new Utf8Writer(destination);
        for (int i = 0; i < _count; i++)
        {
            EncodedParameter parameter = _parameters[i];
            if (i > 0)
            {
                writer.Append((byte)'&');
            }

            writer.Append(_scratch.Slice(parameter.NameStart, parameter.NameLength));
            if (parameter.ValueLength > 0 || equalsForEmptyValue)
            {
                writer.Append((byte)'=');
                writer.Append(_scratch.Slice(parameter.ValueStart, parameter.ValueLength));
            }
        }

        return writer.Position;
    }

    private readonly int Compare(EncodedParameter left, EncodedParameter right)
    {
        int byName = _scratch.Slice(left.NameStart, left.NameLength).SequenceCompareTo(_scratch.Slice(right.NameStart, right.NameLength));
        return byName != 0
            ? byName
            : _scratch.Slice(left.ValueStart, left.ValueLength).SequenceCompareTo(_scratch.Slice(right.ValueStart, right.ValueLength));
    }
}
