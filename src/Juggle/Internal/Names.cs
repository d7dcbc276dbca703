namespace Juggle.Internal;

/// <summary>
/// Names made of a prefix and a number (executors, their threads and workers), written digit by digit: formatting
/// through any culture, even the invariant one, makes the process's first <see cref="System.Globalization.CultureInfo"/>,
/// which loads the globalization library (ICU): ~5 ms of CPU on the first executor's path that nothing else there needs.
/// </summary>
internal static class Names
{
    public static string Numbered(string prefix, string separator, long number)
    {
        Span<char> digits = stackalloc char[20];
        var start = digits.Length;
        var rest = number < 0 ? (ulong)-(number + 1) + 1 : (ulong)number;
        do
        {
            digits[--start] = (char)('0' + (int)(rest % 10));
            rest /= 10;
        }
        while (rest != 0);

        return string.Concat(prefix, separator, number < 0 ? "-" : string.Empty, digits[start..]);
    }
}
