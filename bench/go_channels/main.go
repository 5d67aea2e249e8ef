// The Go original's pattern as the dispatch bench's anchor: a buffered jobs channel, worker
// goroutines that range over it and time each job, and a results channel the main goroutine
// drains. The jobs do nothing, so the time is the channels' hand-off: what bench/_go_anchor.ts
// compares our shared-memory channel with.
//
// It reads one batch per line on stdin, "JOBS WORKERS", and answers each with the batch's
// seconds (from the first job handed out to the last result), so one process serves every
// iteration of a bench and its start-up is never timed.
package main

import (
	"bufio"
	"fmt"
	"os"
	"time"
)

type job struct {
	number int
}

type result struct {
	number  int
	elapsed time.Duration
}

func worker(jobs <-chan job, results chan<- result) {
	for j := range jobs {
		start := time.Now()
		// A no-op job: nothing between the two clock reads.
		results <- result{number: j.number, elapsed: time.Since(start)}
	}
}

// runBatch queues every job first (as our channel holds the whole batch before the clock
// starts), then starts the clock and the workers, and waits for every result.
func runBatch(jobCount, workers int) time.Duration {
	jobs := make(chan job, jobCount)
	results := make(chan result, jobCount)
	for i := 1; i <= jobCount; i++ {
		jobs <- job{number: i}
	}
	close(jobs)
	start := time.Now()
	for w := 0; w < workers; w++ {
		go worker(jobs, results)
	}
	var busy time.Duration
	for i := 0; i < jobCount; i++ {
		busy += (<-results).elapsed
	}
	seconds := time.Since(start)
	if busy < 0 {
		panic("negative job time")
	}
	return seconds
}

func main() {
	scanner := bufio.NewScanner(os.Stdin)
	for scanner.Scan() {
		var jobCount, workers int
		if _, err := fmt.Sscanf(scanner.Text(), "%d %d", &jobCount, &workers); err != nil ||
			jobCount < 1 || workers < 1 {
			fmt.Fprintf(os.Stderr, "go_channels: expected \"JOBS WORKERS\", received %q\n", scanner.Text())
			os.Exit(2)
		}
		fmt.Printf("%.9f\n", runBatch(jobCount, workers).Seconds())
	}
}
