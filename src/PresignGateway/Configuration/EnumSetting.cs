namespace PresignGateway.Configuration;

/// <summary>Reads a setting that names an enum member, so that a typo is reported with every other problem.</summary>
internal static class EnumSetting
{
    /// <summary>The member named by <paramref name="value"/> (any case); its default when absent and not required; null with a problem added otherwise.</summary>
    public static TEnum? Parse<TEnum>(string? value, string setting, bool required, ICollection<string> errors)
        where TEnum : struct, Enum
    {
        if (string.IsNullOrWhiteSpace(value))
        {
            if (required)
            {
                errors.Add($"{setting} is required: one of {string.Join(", ", Enum.GetNames<TEnum>())}.");
            }

            return required ? null : default(TEnum);
        }

        // Names only: Enum.TryParse would also take numbers and comma lists ("Proxy,Redirect") and OR them together.
        foreach (string name in Enum.GetNames<TEnum>())
        {
            if (string.Equals(name, value.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                return Enum.Parse<TEnum>(name);
            }
        }

        errors.Add($"{setting} is '{value}': use one of {string.Join(", ", Enum.GetNames<TEnum>())}.");
        return null;
    }
}
