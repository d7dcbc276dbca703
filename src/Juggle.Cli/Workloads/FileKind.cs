using System.Runtime.InteropServices;

namespace Juggle.Cli.Workloads;

/// <summary>
/// What kind of file system object a path is: .NET reports a FIFO, a device or a socket as an ordinary, empty file,
/// and opening a FIFO blocks until something writes to it. Asked of the runtime's own native layer
/// (<c>SystemNative_Stat</c>, what <see cref="FileInfo"/> uses), whose status record starts with flags and the
/// mode on every Unix.
/// </summary>
internal static partial class FileKind
{
    /// <summary>What <paramref name="path"/> is when it is not a regular file ("a FIFO (named pipe)", ...); null for a regular file or when unknown.</summary>
    public static string? DescribeIfNotRegular(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (OperatingSystem.IsWindows())
        {
            return null;
        }

        FileStatus status;
        try
        {
            if (Stat(path, out status) != 0)
            {
                return null;
            }
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }

        return (status.Mode & 0xF000) switch
        {
            0x8000 => null,
            0x1000 => "a FIFO (named pipe)",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            0x4000 => "a folder",
            _ => "not a regular file",
        };
    }

    [LibraryImport("libSystem.Native", EntryPoint = "SystemNative_Stat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Stat(string path, out FileStatus status);

    /// <summary>The start of the runtime's FileStatus; sized well past the whole record, which the call fills.</summary>
    [StructLayout(LayoutKind.Sequential, Size = 512)]
    private struct FileStatus
    {
        public int Flags;
        public int Mode;
    }
}
