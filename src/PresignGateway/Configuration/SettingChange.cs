namespace PresignGateway.Configuration;

/// <summary>
/// One setting that a reload changed. <see cref="From"/> and <see cref="To"/> are null when the value must not be
/// logged (a connection string can hold a password).
/// </summary>
internal readonly record struct SettingChange(string Setting, string? From, string? To, bool NeedsRestart);
