using System.Security.Cryptography;

namespace PrimesAndHashes;

/// <summary>Seed 002's CPU-bound functions, as static methods so a process pool can run them too.</summary>
public static class Work
{
    private static readonly byte[] s_salt = "salt"u8.ToArray();

    /// <summary>A somewhat CPU-intensive task: <paramref name="n"/> - 1 PBKDF2 key derivations of growing cost.</summary>
    public static string HashOne(int n)
    {
        for (var i = 1; i < n; i++)
        {
            Rfc2898DeriveBytes.Pbkdf2("password"u8, s_salt, i * 2_000, HashAlgorithmName.SHA256, 32);
        }

        return "done";
    }

    /// <summary>Whether <paramref name="n"/> is prime, by trial division up to its square root.</summary>
    public static bool IsPrime(int n)
    {
        if (n < 2)
        {
            return false;
        }

        if (n == 2)
        {
            return true;
        }

        if (n % 2 == 0)
        {
            return false;
        }

        var sqrtN = (int)Math.Floor(Math.Sqrt(n));
        for (var i = 3; i <= sqrtN; i += 2)
        {
            if (n % i == 0)
            {
                return false;
            }
        }

        return true;
    }
}
