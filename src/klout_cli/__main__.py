from klout_cli.cli import main

main()
