using System.Runtime.InteropServices;

namespace Juggle;

/// <summary>The libc calls of <see cref="WorkerChild"/> (Linux, glibc or musl, 64-bit).</summary>
public sealed partial class ProcessPoolExecutor
{
    private sealed partial class WorkerChild
    {
        private const int OCloExec = 0x80000; // O_CLOEXEC
        private const int WNoHang = 1; // WNOHANG
        private const int EIntr = 4; // EINTR
        private const int SigKill = 9;
        private const short PosixSpawnSetSigmask = 0x08; // POSIX_SPAWN_SETSIGMASK

        // Opaque libc structures, allocated larger than any libc makes them (glibc: 80, 336 and 128 bytes).
        private const nuint FileActionsSize = 512;
        private const nuint SpawnAttributesSize = 1024;
        private const nuint SignalSetSize = 256;

        [LibraryImport("libc", EntryPoint = "pipe2", SetLastError = true)]
        private static unsafe partial int Pipe2(int* fds, int flags);

        [LibraryImport("libc", EntryPoint = "close")]
        private static partial int Close(int fd);

        [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_init")]
        private static unsafe partial int FileActionsInit(void* actions);

        [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_adddup2")]
        private static unsafe partial int FileActionsAddDup2(void* actions, int fd, int target);

        [LibraryImport("libc", EntryPoint = "posix_spawn_file_actions_destroy")]
        private static unsafe partial int FileActionsDestroy(void* actions);

        [LibraryImport("libc", EntryPoint = "posix_spawnattr_init")]
        private static unsafe partial int AttributesInit(void* attributes);

        [LibraryImport("libc", EntryPoint = "posix_spawnattr_setsigmask")]
        private static unsafe partial int SetSignalMask(void* attributes, void* signals);

        [LibraryImport("libc", EntryPoint = "posix_spawnattr_setflags")]
        private static unsafe partial int SetFlags(void* attributes, short flags);

        [LibraryImport("libc", EntryPoint = "posix_spawnattr_destroy")]
        private static unsafe partial int AttributesDestroy(void* attributes);

        [LibraryImport("libc", EntryPoint = "posix_spawn")]
        private static unsafe partial int PosixSpawn(int* pid, byte* path, void* actions, void* attributes, byte** argv, byte** envp);

        [LibraryImport("libc", EntryPoint = "waitpid", SetLastError = true)]
        private static partial int WaitPid(int pid, out int status, int options);

        [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
        private static partial int SendKill(int pid, int signal);
    }
}
