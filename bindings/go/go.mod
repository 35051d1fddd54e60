module sectrans

go 1.21
