import CamindexCLI

Camindex.main()
