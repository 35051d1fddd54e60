module sectrans-go-xnet

go 1.21

require (
	golang.org/x/net v0.33.0
	sectrans v0.0.0
)

require golang.org/x/text v0.21.0 // indirect

replace sectrans => ../../../bindings/go
