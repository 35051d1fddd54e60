module sectrans-go-bench

go 1.25

require sectrans v0.0.0

replace sectrans => ../../bindings/go
