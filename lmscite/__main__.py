from lmscite.cli import main

main()
