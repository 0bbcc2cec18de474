using System.Globalization;
using System.Text;

namespace PresignGateway.Listing;

/// <summary>
/// Names as a page shows them: control characters (C0, DEL, C1) and the invisible characters that reorder or hide
/// text (bidirectional overrides and isolates, marks, zero-width characters, BOM) are written out as <c>\u202E</c>, so
/// "<c>txt.exe</c>" reversed by an override reads as what it is. Everything else is left as it is; the caller
/// HTML-encodes the result. Links never use this: they are built from the real name.
/// </summary>
internal static class VisibleName
{
    public static bool NeedsEscape(char c)
        => char.IsControl(c)
            || c is '\u061C' or '\u00AD' or '\u034F' or '\u180E' or '\uFEFF'
            || c is >= '\u200B' and <= '\u200F'
            || c is >= '\u2028' and <= '\u202E'
            || c is >= '\u2060' and <= '\u206F';

    public static string Of(string name)
    {
        int first = IndexOfEscape(name);
        if (first < 0)
        {
            return name;
        }

        var text = new StringBuilder(name.Length + 16).Append(name, 0, first);
        for (int i = first; i < name.Length; i++)
        {
            char c = name[i];
            if (NeedsEscape(c))
            {
                text.Append("\\u").Append(((int)c).ToString("X4", CultureInfo.InvariantCulture));
            }
            else
            {
                text.Append(c);
            }
        }

        return text.ToString();
    }

    private static int IndexOfEscape(string name)
    {
        for (int i = 0; i < name.Length; i++)
        {
            if (NeedsEscape(name[i]))
            {
                return i;
            }
        }

        return -1;
    }
}
