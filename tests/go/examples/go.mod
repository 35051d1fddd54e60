module sectrans-go-examples

go 1.21

require sectrans v0.0.0

replace sectrans => ../../../bindings/go
