using System.Security.Cryptography;

namespace Juggle.Cli.Workloads;

/// <summary>
/// The seeds' CPU-bound kernels, as static methods (the form a process pool can run); the <c>bench</c> tasks are
/// <c>[JuggleFunction]</c>s, so <c>juggle worker</c> nodes run them for <c>--mode cluster</c>.
/// </summary>
public static class CpuWork
{
    /// <summary>Seed 003's <c>do_math_once</c>: powers and roots in a loop. Python runs 2,000,000 iterations.</summary>
    public static double DoMathOnce(int startingNumber, int iterations)
    {
        double x = startingNumber;
        for (var i = 0; i < iterations; i++)
        {
            x = Math.Pow(x, 4);
            x = Math.Pow(x, 0.25);
            x = Math.Pow(x, 2);
            x = Math.Pow(x, 0.5);
            x += 1;
        }

        return x;
    }

    /// <summary>Iterations of <see cref="DoMathOnce"/> per <c>bench cpu</c> task.</summary>
    public const int BenchMathIterations = 300_000;

    /// <summary>SHA-256 rounds per <c>bench hash</c> task.</summary>
    public const int BenchHashRounds = 40_000;

    /// <summary>One <c>bench cpu</c> task; a one-argument static method, so a process pool can run it.</summary>
    [JuggleFunction]
    public static double BenchMath(int startingNumber) => DoMathOnce(startingNumber, BenchMathIterations);

    /// <summary>One <c>bench hash</c> task.</summary>
    [JuggleFunction]
    public static string BenchHash(int seed) => HashOne(seed, BenchHashRounds);

    /// <summary>Seed 002's <c>hash_one</c>: SHA-256 applied to its own output <paramref name="rounds"/> times.</summary>
    public static string HashOne(int seed, int rounds)
    {
        Span<byte> digest = stackalloc byte[32];
        BitConverter.TryWriteBytes(digest, seed);
        for (var i = 0; i < rounds; i++)
        {
            SHA256.HashData(digest, digest);
        }

        return Convert.ToHexString(digest[..8]);
    }

    /// <summary>Seed 002's <c>is_prime</c>: trial division. Tiny per call, so overhead dominates any pool.</summary>
    [JuggleFunction]
    public static bool IsPrime(long n)
    {
        if (n < 2)
        {
            return false;
        }

        if (n % 2 == 0)
        {
            return n == 2;
        }

        for (long d = 3; d * d <= n; d += 2)
        {
            if (n % d == 0)
            {
                return false;
            }
        }

        return true;
    }
}
