console.log('benchmarks: not yet written');
