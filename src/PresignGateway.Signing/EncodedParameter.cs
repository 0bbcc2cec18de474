namespace PresignGateway.Signing;

/// <summary>One query parameter after encoding: where its name and value sit in the scratch buffer.</summary>
internal struct EncodedParameter
{
    public int NameStart;
    public int NameLength;
    public int ValueStart;
    public int ValueLength;
}
