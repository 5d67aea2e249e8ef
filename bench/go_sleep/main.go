// The Go original's oversubscription table as an anchor for jobs in flight: JOBS jobs that each
// sleep SLEEPMS, run by WORKERS goroutines ranging over a buffered channel. Goroutines are the
// unit Deno's jobs in flight stand in for, so this is what "64 workers" costs in Go.
//
// Usage: go run . JOBS WORKERS SLEEPMS; prints the batch's seconds (first job handed out to the
// last result) and the process's peak RSS in KiB, tab-separated.
package main

import (
	"fmt"
	"os"
	"strconv"
	"syscall"
	"time"
)

func main() {
	jobCount, _ := strconv.Atoi(os.Args[1])
	workers, _ := strconv.Atoi(os.Args[2])
	sleepMs, _ := strconv.Atoi(os.Args[3])
	jobs := make(chan int, jobCount)
	results := make(chan time.Duration, jobCount)
	for i := 1; i <= jobCount; i++ {
		jobs <- i
	}
	close(jobs)
	start := time.Now()
	for w := 0; w < workers; w++ {
		go func() {
			for range jobs {
				begin := time.Now()
				time.Sleep(time.Duration(sleepMs) * time.Millisecond)
				results <- time.Since(begin)
			}
		}()
	}
	for i := 0; i < jobCount; i++ {
		<-results
	}
	seconds := time.Since(start).Seconds()
	var usage syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &usage)
	fmt.Printf("%.6f\t%d\n", seconds, usage.Maxrss)
}
