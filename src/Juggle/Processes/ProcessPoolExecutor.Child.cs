using System.ComponentModel;
using System.Diagnostics;
using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Juggle;

/// <summary>Starting a worker process and watching it: on Linux with <c>posix_spawn</c>, elsewhere with <see cref="Process"/>.</summary>
public sealed partial class ProcessPoolExecutor
{
    /// <summary>Set to <c>process</c> to start workers with <see cref="Process"/> on Linux too.</summary>
    internal const string SpawnVariable = "JUGGLE_WORKER_SPAWN";

    /// <summary>
    /// A worker process with its input and output pipes. On Linux it is spawned directly: a process's first
    /// <see cref="Process.Start(ProcessStartInfo)"/> sets up the class's machinery first (10-20 ms of CPU before the child
    /// even exists, on the path of the app's first pool), where <c>posix_spawn</c> costs well under a millisecond. The
    /// child gets what <see cref="Process"/> gives it: the command and environment of the start info, the pipes as its
    /// standard input and output, the parent's standard error, no other descriptor, and an empty signal mask.
    /// </summary>
    private sealed partial class WorkerChild : IDisposable
    {
        private readonly Process? _process;
        private readonly Lock _lock = new();
        private int _status = -1; // wait status once reaped
        private bool _reaped;
        private bool _unknownExit;

        private WorkerChild(Process process)
        {
            _process = process;
            Id = process.Id;
            Input = process.StandardInput.BaseStream;
            Output = process.StandardOutput.BaseStream;
        }

        private WorkerChild(int pid, Stream input, Stream output)
        {
            Id = pid;
            Input = input;
            Output = output;
        }

        public int Id { get; }

        /// <summary>The worker's standard input (frames to it).</summary>
        public Stream Input { get; }

        /// <summary>The worker's standard output (frames from it).</summary>
        public Stream Output { get; }

        public bool HasExited => _process?.HasExited ?? TryReap();

        /// <summary>The exit code (128 + the signal for a process killed by one), or <see langword="null"/> if unknown or still running.</summary>
        public int? ExitCode
        {
            get
            {
                if (_process is not null)
                {
                    return _process.HasExited ? _process.ExitCode : null;
                }

                lock (_lock)
                {
                    if (!_reaped || _unknownExit)
                    {
                        return null;
                    }

                    return (_status & 0x7f) == 0 ? (_status >> 8) & 0xff : 128 + (_status & 0x7f);
                }
            }
        }

        public static WorkerChild Start(ProcessStartInfo info)
        {
            if (OperatingSystem.IsLinux() && Environment.GetEnvironmentVariable(SpawnVariable) != "process")
            {
                return Spawn(info);
            }

            return new WorkerChild(Process.Start(info) ?? throw new InvalidOperationException($"Could not start worker process '{info.FileName}'."));
        }

        public bool WaitForExit(TimeSpan timeout)
        {
            if (_process is not null)
            {
                return _process.WaitForExit(timeout);
            }

            // The worker has closed its output (it exits) or was killed: reaping is a matter of milliseconds.
            var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
            var pause = 1;
            while (!TryReap())
            {
                if (Stopwatch.GetTimestamp() >= deadline)
                {
                    return false;
                }

                Thread.Sleep(pause);
                pause = Math.Min(pause * 2, 20);
            }

            return true;
        }

        /// <summary>Kills the worker and every process it started.</summary>
        public void Kill()
        {
            if (_process is not null)
            {
                try
                {
                    _process.Kill(entireProcessTree: true);
                }
                catch (Exception ex) when (ex is InvalidOperationException or Win32Exception or NotSupportedException)
                {
                    // Already exited.
                }

                return;
            }

            lock (_lock)
            {
                // Not yet reaped, so the pid is still this worker's (a zombie at worst), never a stranger's.
                if (_reaped)
                {
                    return;
                }

                try
                {
                    using var tree = Process.GetProcessById(Id);
                    tree.Kill(entireProcessTree: true);
                }
                catch (Exception ex) when (ex is ArgumentException or InvalidOperationException or Win32Exception or NotSupportedException)
                {
                    // Gone already, or not visible: the direct signal below still reaches the worker.
                }

                _ = SendKill(Id, SigKill);
            }
        }

        public void Dispose()
        {
            _process?.Dispose();
            if (_process is null)
            {
                Input.Dispose();
                Output.Dispose();
                TryReap();
            }
        }

        private bool TryReap()
        {
            lock (_lock)
            {
                if (_reaped)
                {
                    return true;
                }

                int status;
                int result;
                do
                {
                    result = WaitPid(Id, out status, WNoHang);
                }
                while (result < 0 && Marshal.GetLastPInvokeError() == EIntr);

                if (result == Id)
                {
                    _reaped = true;
                    _status = status;
                }
                else if (result < 0)
                {
                    // ECHILD: the exit status went elsewhere (SIGCHLD ignored makes the kernel reap children at once).
                    _reaped = true;
                    _unknownExit = true;
                }

                return _reaped;
            }
        }

        private static unsafe WorkerChild Spawn(ProcessStartInfo info)
        {
            var input = stackalloc int[2];
            var output = stackalloc int[2];
            Check(Pipe2(input, OCloExec), "pipe2");
            if (Pipe2(output, OCloExec) < 0)
            {
                var error = Marshal.GetLastPInvokeError();
                _ = Close(input[0]);
                _ = Close(input[1]);
                throw new IOException($"pipe2 failed with errno {error}.");
            }

            var argv = new List<string> { info.FileName };
            argv.AddRange(info.ArgumentList);
            var environment = new List<string>(info.Environment.Count);
            foreach (var (name, value) in info.Environment)
            {
                if (value is not null)
                {
                    environment.Add(string.Concat(name, "=", value));
                }
            }

            var strings = new List<nint>();
            var actions = NativeMemory.AllocZeroed(FileActionsSize);
            var attributes = NativeMemory.AllocZeroed(SpawnAttributesSize);
            var signals = NativeMemory.AllocZeroed(SignalSetSize);
            var actionsReady = false;
            var attributesReady = false;
            try
            {
                var path = Utf8(info.FileName, strings);
                var args = Utf8Array(argv, strings);
                var env = Utf8Array(environment, strings);
                Check(FileActionsInit(actions), "posix_spawn_file_actions_init");
                actionsReady = true;
                Check(FileActionsAddDup2(actions, input[0], 0), "posix_spawn_file_actions_adddup2");
                Check(FileActionsAddDup2(actions, output[1], 1), "posix_spawn_file_actions_adddup2");
                Check(AttributesInit(attributes), "posix_spawnattr_init");
                attributesReady = true;
                Check(SetSignalMask(attributes, signals), "posix_spawnattr_setsigmask");
                Check(SetFlags(attributes, PosixSpawnSetSigmask), "posix_spawnattr_setflags");
                int pid;
                var result = PosixSpawn(&pid, path, actions, attributes, args, env);
                if (result != 0)
                {
                    // As Process.Start reports it: the system's message for the error (e.g. "No such file or directory").
                    throw new Win32Exception(result, $"Could not start worker process '{info.FileName}': {new Win32Exception(result).Message} (posix_spawn error {result}).");
                }

                // The child's ends belong to the child alone: the parent must not hold them, or the worker's input would
                // never end and the parent would never see the end of its output.
                _ = Close(input[0]);
                _ = Close(output[1]);
                input[0] = -1;
                output[1] = -1;
                var toChild = new FileStream(new SafeFileHandle(input[1], ownsHandle: true), FileAccess.Write, bufferSize: 0);
                var fromChild = new FileStream(new SafeFileHandle(output[0], ownsHandle: true), FileAccess.Read, bufferSize: 0);
                return new WorkerChild(pid, toChild, fromChild);
            }
            catch
            {
                foreach (var fd in new[] { input[0], input[1], output[0], output[1] })
                {
                    if (fd >= 0)
                    {
                        _ = Close(fd);
                    }
                }

                throw;
            }
            finally
            {
                // Destroyed whether or not a step failed: adddup2 allocates inside the file actions.
                if (actionsReady)
                {
                    _ = FileActionsDestroy(actions);
                }

                if (attributesReady)
                {
                    _ = AttributesDestroy(attributes);
                }

                foreach (var s in strings)
                {
                    NativeMemory.Free((void*)s);
                }

                NativeMemory.Free(actions);
                NativeMemory.Free(attributes);
                NativeMemory.Free(signals);
            }
        }

        private static unsafe byte* Utf8(string value, List<nint> owned)
        {
            var count = Remoting.Utf8Text.GetByteCount(value);
            var bytes = (byte*)NativeMemory.Alloc((nuint)count + 1);
            owned.Add((nint)bytes);
            Remoting.Utf8Text.Write(value, new Span<byte>(bytes, count));
            bytes[count] = 0;
            return bytes;
        }

        private static unsafe byte** Utf8Array(List<string> values, List<nint> owned)
        {
            var array = (byte**)NativeMemory.AllocZeroed((nuint)(values.Count + 1), (nuint)sizeof(nint));
            owned.Add((nint)array);
            for (var i = 0; i < values.Count; i++)
            {
                array[i] = Utf8(values[i], owned);
            }

            return array;
        }

        private static void Check(int result, string call)
        {
            if (result != 0)
            {
                // pipe2 reports through errno; the posix_spawn family returns the error number itself.
                var error = result < 0 ? Marshal.GetLastPInvokeError() : result;
                throw new IOException($"{call} failed with errno {error}.");
            }
        }
    }
}
