namespace Juggle.Cli.Workloads;

/// <summary>Seed 004's CPU-bound step: tokenize text into lower-case words and count them.</summary>
internal static class WordCounter
{
    /// <summary>Characters decoded per read: memory per file stays this size whatever the file's.</summary>
    internal const int BlockChars = 64 * 1024;

    /// <summary>Counts words (runs of letters, digits and apostrophes inside words) in <paramref name="text"/>, case-folded.</summary>
    public static Dictionary<string, int> Count(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokenizer = new Tokenizer();
        tokenizer.Feed(text);
        return tokenizer.Finish();
    }

    /// <summary>
    /// Counts the words of a file (UTF-8 unless a byte-order mark says otherwise), streaming it in blocks of
    /// <see cref="BlockChars"/> characters, so a multi-gigabyte file (or an endless device) never sits in memory.
    /// </summary>
    /// <exception cref="InvalidDataException">The file holds NUL characters: it is binary, not text.</exception>
    public static Dictionary<string, int> CountFile(string path) => CountFile(path, out _);

    /// <inheritdoc cref="CountFile(string)"/>
    /// <param name="path">The file.</param>
    /// <param name="bytes">How many bytes were read (for devices and pipes, whose length is unknown up front).</param>
    public static Dictionary<string, int> CountFile(string path, out long bytes)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 4096, FileOptions.SequentialScan);
        var counts = Count(stream);
        bytes = stream.CanSeek ? stream.Position : -1;
        return counts;
    }

    /// <summary>Counts the words of <paramref name="stream"/>, read block by block (see <see cref="CountFile(string)"/>).</summary>
    /// <exception cref="InvalidDataException">The stream holds NUL characters: it is binary, not text.</exception>
    public static Dictionary<string, int> Count(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        using var reader = new StreamReader(stream, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true, bufferSize: BlockChars, leaveOpen: true);
        var block = new char[BlockChars];
        var tokenizer = new Tokenizer();
        long offset = 0;
        int read;
        while ((read = reader.ReadBlock(block, 0, block.Length)) > 0)
        {
            var span = block.AsSpan(0, read);
            // Text has no NUL characters (in any encoding once decoded); images, archives and /dev/zero do.
            if (span.IndexOf('\0') is var nul and >= 0)
            {
                throw new InvalidDataException($"binary file (a NUL character at character {offset + nul}), not text");
            }

            tokenizer.Feed(span);
            offset += read;
        }

        return tokenizer.Finish();
    }

    /// <summary>Adds <paramref name="part"/> into <paramref name="total"/>.</summary>
    public static void Merge(Dictionary<string, int> total, Dictionary<string, int> part)
    {
        ArgumentNullException.ThrowIfNull(total);
        ArgumentNullException.ThrowIfNull(part);
        foreach (var (word, n) in part)
        {
            total[word] = total.TryGetValue(word, out var m) ? m + n : n;
        }
    }

    public static IReadOnlyList<KeyValuePair<string, int>> Top(Dictionary<string, int> counts, int n) =>
        counts.OrderByDescending(p => p.Value).ThenBy(p => p.Key, StringComparer.Ordinal).Take(n).ToList();

    /// <summary>
    /// The tokenizer, fed text in pieces: a word (or an apostrophe whose next character decides whether it is inside
    /// a word, as in "whale's") may span two pieces. Words longer than 64 characters are cut to 64.
    /// </summary>
    private sealed class Tokenizer
    {
        private readonly Dictionary<string, int> _counts = new(StringComparer.Ordinal);
        private readonly char[] _word = new char[64];
        private int _length;
        private bool _apostrophe;

        public void Feed(ReadOnlySpan<char> text)
        {
            var lookup = _counts.GetAlternateLookup<ReadOnlySpan<char>>();
            foreach (var c in text)
            {
                if (_apostrophe)
                {
                    // An apostrophe is inside a word only when a letter follows it.
                    _apostrophe = false;
                    if (char.IsLetter(c))
                    {
                        Append('\'');
                    }
                    else
                    {
                        Flush(lookup);
                    }
                }

                if (char.IsLetterOrDigit(c))
                {
                    Append(char.ToLowerInvariant(c));
                }
                else if (c == '\'' && _length > 0)
                {
                    _apostrophe = true;
                }
                else if (_length > 0)
                {
                    Flush(lookup);
                }
            }
        }

        public Dictionary<string, int> Finish()
        {
            _apostrophe = false;
            Flush(_counts.GetAlternateLookup<ReadOnlySpan<char>>());
            return _counts;
        }

        private void Append(char c)
        {
            if (_length < _word.Length)
            {
                _word[_length] = c;
            }

            _length++;
        }

        private void Flush(Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> lookup)
        {
            if (_length == 0)
            {
                return;
            }

            var key = _word.AsSpan(0, Math.Min(_length, _word.Length));
            lookup[key] = lookup.TryGetValue(key, out var n) ? n + 1 : 1;
            _length = 0;
        }
    }
}
