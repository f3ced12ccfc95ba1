import BallastCLI
await BallastMain.main()
