from exercises import create_app

app = create_app()
