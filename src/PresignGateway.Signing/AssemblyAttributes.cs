using System.Runtime.CompilerServices;

// Stack buffers in the signer are always written before they are read; zeroing them is wasted work on every URL.
[module: SkipLocalsInit]
