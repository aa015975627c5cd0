using NUnit.Framework;

// Fixtures run in parallel (each has its own sandboxes); tests inside a fixture share one sandbox and run in order.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(4)]
