using System.Collections;
using System.ComponentModel;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Configuration;

namespace PresignGateway.Configuration;

/// <summary>
/// Reads settings the way the configuration binder does, but turns a value it can't convert into a problem that
/// names the setting instead of an exception (which stops at the first one), or, inside a dictionary, a silently
/// dropped entry (a store with <c>UrlLifetime=abc</c> would vanish and be reported as "not a configured store").
/// </summary>
internal static class SettingReader
{
    /// <summary>One setting, or <paramref name="defaultValue"/> when it is absent or (with a problem added) unreadable.</summary>
    public static T Get<T>(IConfiguration configuration, string key, T defaultValue, ICollection<string> problems)
    {
        IConfigurationSection section = configuration.GetSection(key);
        if (section.Value is null)
        {
            return defaultValue;
        }

        try
        {
            return section.Get<T>() ?? defaultValue;
        }
        catch (InvalidOperationException)
        {
            problems.Add(Unreadable(key, section.Value, typeof(T)));
            return defaultValue;
        }
    }

    /// <summary>
    /// Binds the <c>Gateway</c> section. Every value the binder can't convert is reported (all of them, with their
    /// paths) and left out, so the rest still binds and can be checked in the same pass.
    /// </summary>
    public static GatewayOptions BindGateway(IConfiguration configuration, ICollection<string> problems)
    {
        IConfigurationSection section = configuration.GetSection(GatewayOptions.SectionName);
        var unreadable = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        CheckValues(section, typeof(GatewayOptions), problems, unreadable);
        var options = new GatewayOptions();
        if (unreadable.Count == 0)
        {
            section.Bind(options);
            return options;
        }

        IEnumerable<KeyValuePair<string, string?>> readable = section.AsEnumerable().Where(pair => pair.Value is not null && !unreadable.Contains(pair.Key));
        new ConfigurationBuilder().AddInMemoryCollection(readable).Build().GetSection(GatewayOptions.SectionName).Bind(options);
        return options;
    }

    /// <summary>Reports every value under <paramref name="section"/> that the binder could not convert into <paramref name="type"/>'s members.</summary>
    public static void CheckValues(IConfigurationSection section, Type type, ICollection<string> problems, ISet<string>? unreadable = null)
    {
        Type target = Nullable.GetUnderlyingType(type) ?? type;
        if (IsScalar(target))
        {
            if (section.Value is { } value)
            {
                try
                {
                    section.Get(type);
                }
                catch (InvalidOperationException)
                {
                    problems.Add(Unreadable(section.Path, value, target));
                    unreadable?.Add(section.Path);
                }
            }

            return;
        }

        if (ElementType(target) is { } element)
        {
            foreach (IConfigurationSection child in section.GetChildren())
            {
                CheckValues(child, element, problems, unreadable);
            }

            return;
        }

        foreach (PropertyInfo property in target.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            // The binder sets scalars through a setter only; it fills collections and nested objects in place.
            bool bindable = property.GetIndexParameters().Length == 0
                && (property.SetMethod?.IsPublic == true || (property.GetMethod?.IsPublic == true && !IsScalar(Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType)));
            IConfigurationSection child = section.GetSection(property.Name);
            if (bindable && child.Exists())
            {
                CheckValues(child, property.PropertyType, problems, unreadable);
            }
        }
    }

    private static bool IsScalar(Type type)
        => type == typeof(string) || type == typeof(object) || TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string));

    /// <summary>The value type of a dictionary keyed by string, or the element type of an array or list.</summary>
    private static Type? ElementType(Type type)
    {
        if (type.IsArray)
        {
            return type.GetElementType();
        }

        if (!typeof(IEnumerable).IsAssignableFrom(type) || !type.IsGenericType)
        {
            return null;
        }

        Type[] arguments = type.GetGenericArguments();
        return arguments.Length switch
        {
            1 => arguments[0],
            2 when arguments[0] == typeof(string) => arguments[1],
            _ => null,
        };
    }

    private static string Unreadable(string path, string value, Type type)
    {
        Type target = Nullable.GetUnderlyingType(type) ?? type;
        string expected = target switch
        {
            _ when target == typeof(int) || target == typeof(long) || target == typeof(short) => "a whole number",
            _ when target == typeof(double) || target == typeof(float) || target == typeof(decimal) => "a number",
            _ when target == typeof(bool) => "true or false",
            _ when target == typeof(TimeSpan) => "a time span such as 00:05:00 (hh:mm:ss) or 1.00:00:00 (a day)",
            _ when target.IsEnum => "one of " + string.Join(", ", Enum.GetNames(target)),
            _ => "a value of type " + target.Name,
        };
        // Long values are cut: the value is only there to help find the typo.
        string shown = value.Length <= 40 ? value : string.Concat(value.AsSpan(0, 40), "...");
        return string.Create(CultureInfo.InvariantCulture, $"{path} is '{shown}': expected {expected}.");
    }
}
