namespace PresignGateway.Signing;

/// <summary>The signed query parameters by which a provider overrides a download's response, version or processing.</summary>
/// <param name="ContentDisposition">Replaces the stored Content-Disposition (<c>response-content-disposition</c>).</param>
/// <param name="VersionId">Selects an object version (<c>versionId</c>).</param>
/// <param name="ImageProcess">Processes an image on the way out (<c>x-oss-process</c>), or null when the provider has no such feature.</param>
public sealed record OverrideQueryNames(string ContentDisposition, string VersionId, string? ImageProcess);
