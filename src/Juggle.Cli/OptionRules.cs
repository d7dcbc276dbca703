using System.CommandLine;
using System.CommandLine.Parsing;
using System.Globalization;

namespace Juggle.Cli;

/// <summary>
/// Typed options and arguments whose errors speak to the user: every bad value is rejected at parse time (exit 2)
/// with a message naming the option, the value given and what is allowed (<c>--workers 0 is out of range: give a
/// whole number from 1 to 1024, e.g. --workers 8.</c>), never a .NET type name. Choices are lower-case words.
/// </summary>
internal static class OptionRules
{
    /// <summary>A whole-number option, <paramref name="min"/> to <paramref name="max"/> inclusive.</summary>
    public static Option<int> Int(string name, string description, int min, int max, int defaultValue, int example, params string[] aliases)
    {
        var option = new Option<int>(name, aliases) { Description = description, DefaultValueFactory = _ => defaultValue, HelpName = "N" };
        option.CustomParser = r => ParseInt(r, name, min, max, example) ?? defaultValue;
        return option;
    }

    /// <summary>A whole-number option that may be left out (null: the command picks).</summary>
    public static Option<int?> OptionalInt(string name, string description, int min, int max, int example, params string[] aliases)
    {
        var option = new Option<int?>(name, aliases) { Description = description, HelpName = "N" };
        option.CustomParser = r => ParseInt(r, name, min, max, example);
        return option;
    }

    /// <summary>
    /// A number option from <paramref name="min"/> (or, with <paramref name="minExclusive"/>, greater than it) to
    /// <paramref name="max"/>.
    /// </summary>
    public static Option<double> Number(string name, string description, double min, bool minExclusive, double max, double defaultValue, string example, string unit)
    {
        var option = new Option<double>(name) { Description = description, DefaultValueFactory = _ => defaultValue, HelpName = "N" };
        option.CustomParser = r => ParseNumber(r, name, min, minExclusive, max, example, unit) ?? defaultValue;
        return option;
    }

    /// <summary>A number option that may be left out.</summary>
    public static Option<double?> OptionalNumber(string name, string description, double min, bool minExclusive, double max, string example, string unit)
    {
        var option = new Option<double?>(name) { Description = description, HelpName = "N" };
        option.CustomParser = r => ParseNumber(r, name, min, minExclusive, max, example, unit);
        return option;
    }

    /// <summary>
    /// One of an enum's values, written in lower case (<c>--mode threads</c>); null when left out, so the command
    /// can tell "not given" from the default (the help names the default).
    /// </summary>
    public static Option<TEnum?> Choice<TEnum>(string name, string description, params string[] aliases)
        where TEnum : struct, Enum
    {
        var option = new Option<TEnum?>(name, aliases) { Description = description, HelpName = string.Join('|', Names<TEnum>()) };
        option.CustomParser = r => ParseChoice<TEnum>(r, name);
        return option;
    }

    /// <summary>An argument taking one of an enum's values in lower case, <paramref name="defaultValue"/> when left out.</summary>
    public static Argument<TEnum> Choice<TEnum>(string name, string description, TEnum defaultValue)
        where TEnum : struct, Enum
    {
        var argument = new Argument<TEnum>(name) { Description = description, HelpName = string.Join('|', Names<TEnum>()), Arity = ArgumentArity.ZeroOrOne };
        argument.CustomParser = r => ParseChoice<TEnum>(r, name) ?? defaultValue;
        return argument;
    }

    /// <summary>
    /// <see langword="false"/> when <paramref name="option"/> was given a value it cannot take (its own parse error
    /// reports it). A validator reading another option's value checks this first: reading a value that failed to
    /// parse throws.
    /// </summary>
    public static bool IsValid<T>(OptionResult option)
    {
        ArgumentNullException.ThrowIfNull(option);
        if (option.Errors.Any())
        {
            return false;
        }

        try
        {
            _ = option.GetValueOrDefault<T>();
            return true;
        }
        catch (InvalidOperationException)
        {
            return false; // the library's way of saying the value did not convert; the parse error names it
        }
    }

    /// <summary>The lower-case names of <typeparamref name="TEnum"/>'s values, in declaration order.</summary>
    public static IReadOnlyList<string> Names<TEnum>()
        where TEnum : struct, Enum =>
        Enum.GetValues<TEnum>().Select(v => v.ToString().ToLowerInvariant()).ToArray();

    private static string? Token(ArgumentResult result) => result.Tokens.Count == 0 ? null : result.Tokens[^1].Value;

    private static int? ParseInt(ArgumentResult result, string name, int min, int max, int example)
    {
        if (Token(result) is not { } text)
        {
            return null;
        }

        var range = string.Create(CultureInfo.InvariantCulture, $"give a whole number from {min} to {max}, e.g. {name} {example}.");
        if (long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            if (value >= min && value <= max)
            {
                return (int)value;
            }

            result.AddError($"{name} {text} is out of range: {range}");
            return null;
        }

        var isNumber = double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var number) && double.IsFinite(number);
        result.AddError(isNumber && number == Math.Floor(number)
            ? $"{name} {text} is out of range: {range}"
            : $"{name} '{text}' is not a whole number: {range}");
        return null;
    }

    private static double? ParseNumber(ArgumentResult result, string name, double min, bool minExclusive, double max, string example, string unit)
    {
        if (Token(result) is not { } text)
        {
            return null;
        }

        var range = string.Create(CultureInfo.InvariantCulture, $"give a number of {unit} {(minExclusive ? "greater than" : "from")} {min} {(minExclusive ? "and at most" : "to")} {max}, e.g. {name} {example}.");
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value))
        {
            result.AddError($"{name} '{text}' is not a number: {range}");
            return null;
        }

        if (!((minExclusive ? value > min : value >= min) && value <= max))
        {
            result.AddError($"{name} {text} is out of range: {range}");
            return null;
        }

        return value;
    }

    private static TEnum? ParseChoice<TEnum>(ArgumentResult result, string name)
        where TEnum : struct, Enum
    {
        if (Token(result) is not { } text)
        {
            return null;
        }

        foreach (var value in Enum.GetValues<TEnum>())
        {
            if (string.Equals(value.ToString(), text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }

        var names = Names<TEnum>();
        var suggestion = Suggest.Closest(text.ToLowerInvariant(), names);
        result.AddError($"{name} '{text}' is not one of: {string.Join(", ", names)}.{(suggestion is null ? "" : $" Did you mean '{suggestion}'?")}");
        return null;
    }
}
