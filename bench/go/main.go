// Command bench compares the Go binding of sectrans with crypto/tls in one
// process over loopback TCP: full handshakes per second (ECDSA P-256 leaf,
// chain and host name verified, TLS 1.3, X25519 on both) and bulk
// throughput (16 KiB writes). Interleaved pairs, order swapped every
// pair; per scenario the medians of each side and the median, min and max
// of the per-pair ratios (sectrans over crypto/tls: higher is faster for
// sectrans). The JSON shape is the one of bench/README.md, "The method
// (every suite)".
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"net"
	"os"
	"runtime/pprof"
	"sort"
	"time"
)

// result is one scenario in the design's JSON shape (plus the details).
type result struct {
	Scenario       string  `json:"scenario"`
	Subject        string  `json:"subject"`
	Baseline       string  `json:"baseline"`
	Unit           string  `json:"unit"`
	SubjectMedian  float64 `json:"subject_median"`
	BaselineMedian float64 `json:"baseline_median"`
	RatioMedian    float64 `json:"ratio_median"`
	RatioMin       float64 `json:"ratio_min"`
	RatioMax       float64 `json:"ratio_max"`
	Pairs          int     `json:"pairs"`
	Protocol       string  `json:"protocol"`
	Cipher         string  `json:"cipher"`
	Group          string  `json:"group"`
	Certificate    string  `json:"certificate"`
	Transport      string  `json:"transport"`
}

type report struct {
	Suite   string   `json:"suite"`
	Date    string   `json:"date"`
	Machine string   `json:"machine"`
	Results []result `json:"results"`
}

// scenario measures one implementation once and returns its rate.
type scenario struct {
	name, unit string
	run        func(net.Listener, implementation) (float64, error)
}

func main() {
	pairs := flag.Int("pairs", 15, "interleaved pairs per scenario")
	bulkMB := flag.Int("bulk-mb", 64, "MB per bulk run")
	count := flag.Int("handshakes", 300, "handshakes per handshake run")
	out := flag.String("out", "", "JSON file to write (default: print)")
	machine := flag.String("machine", "", "machine description for the report")
	profile := flag.String("cpuprofile", "", "write a CPU profile to this file")
	flag.Parse()
	if *profile != "" {
		f, err := os.Create(*profile)
		check(err)
		check(pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}

	p, err := newPKI()
	check(err)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	check(err)
	subject, baseline := sectransImpl(p), goImpl(p)
	check(checkSetup(l, []implementation{subject, baseline}))
	scenarios := []scenario{
		{"handshake-full", "handshakes/s", func(l net.Listener, i implementation) (float64, error) {
			return handshakes(l, i, *count)
		}},
		{"bulk-16k", "MB/s", func(l net.Listener, i implementation) (float64, error) {
			return bulk(l, i, *bulkMB*1000*1000)
		}},
	}
	rep := report{Suite: "go", Date: time.Now().UTC().Format(time.RFC3339), Machine: *machine}
	for _, s := range scenarios {
		r, err := measure(l, s, subject, baseline, *pairs)
		check(err)
		log.Printf("%s: sectrans %.1f, crypto/tls %.1f %s, ratio %.3f (%.3f..%.3f)",
			r.Scenario, r.SubjectMedian, r.BaselineMedian, r.Unit, r.RatioMedian, r.RatioMin, r.RatioMax)
		rep.Results = append(rep.Results, r)
	}
	data, _ := json.MarshalIndent(rep, "", "  ")
	if *out == "" {
		fmt.Println(string(data))
	} else {
		check(os.WriteFile(*out, append(data, '\n'), 0o644))
	}
}

// measure runs interleaved pairs of one scenario.
func measure(l net.Listener, s scenario, subject, baseline implementation, pairs int) (result, error) {
	var subjectRates, baselineRates, ratios []float64
	for i := 0; i < pairs; i++ {
		order := []implementation{subject, baseline}
		if i%2 == 1 {
			order[0], order[1] = order[1], order[0]
		}
		rates := map[string]float64{}
		for _, impl := range order {
			rate, err := s.run(l, impl)
			if err != nil {
				return result{}, fmt.Errorf("%s %s: %w", s.name, impl.name, err)
			}
			rates[impl.name] = rate
		}
		subjectRates = append(subjectRates, rates[subject.name])
		baselineRates = append(baselineRates, rates[baseline.name])
		ratios = append(ratios, rates[subject.name]/rates[baseline.name])
	}
	sort.Float64s(ratios)
	return result{Scenario: s.name, Subject: "sectrans", Baseline: "crypto/tls", Unit: s.unit,
		SubjectMedian: median(subjectRates), BaselineMedian: median(baselineRates),
		RatioMedian: median(ratios), RatioMin: ratios[0], RatioMax: ratios[len(ratios)-1], Pairs: pairs,
		Protocol: "TLSv1.3", Cipher: "TLS_AES_128_GCM_SHA256", Group: "X25519",
		Certificate: "ECDSA P-256 leaf signed by a test root",
		Transport:   "loopback TCP, client and server in one Go process"}, nil
}

func median(values []float64) float64 {
	v := append([]float64(nil), values...)
	sort.Float64s(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}

func check(err error) {
	if err != nil {
		log.Fatal(err)
	}
}
