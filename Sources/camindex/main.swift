import CamindexCLI

await Camindex.execute()
