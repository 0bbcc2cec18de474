namespace PresignGateway.Signing;

/// <summary>An extra query parameter that is signed into the URL, with its raw (unencoded) name and value.</summary>
public readonly record struct QueryParameter(string Name, string Value);
